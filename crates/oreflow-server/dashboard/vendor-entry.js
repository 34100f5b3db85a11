// The libraries of the dashboard, bundled by build.sh into dist/vendor.js
// (one IIFE that sets `window.OF`). Only what the dashboard uses is imported.
import * as echarts from "echarts/core";
import { LineChart, HeatmapChart, SankeyChart, LinesChart, ScatterChart, BarChart, MapChart } from "echarts/charts";
import {
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, GeoComponent,
  TitleComponent, AriaComponent, MarkLineComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { StreamLanguage } from "@codemirror/language";
import { toml as tomlMode } from "@codemirror/legacy-modes/mode/toml";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";

echarts.use([
  LineChart, HeatmapChart, SankeyChart, LinesChart, ScatterChart, BarChart, MapChart,
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, GeoComponent,
  TitleComponent, AriaComponent, MarkLineComponent, CanvasRenderer,
]);

window.OF = {
  echarts,
  cm: { EditorView, EditorState, basicSetup, keymap, indentWithTab, StreamLanguage, tomlMode, linter, lintGutter, forceLinting },
  toml: { parse: parseToml, stringify: stringifyToml },
};
