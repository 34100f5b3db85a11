//! Reading: plain text or HTML into a document text with a map back to the
//! input's bytes, cut into blocks (paragraphs, headings, list items), each
//! marked as article or boilerplate.
//!
//! HTML is read by a small hand-written scanner rather than a full HTML5
//! parser (html5ever/scraper): what is needed here is the text, the block
//! breaks, the element stack with its class/id/role words, and, for every
//! byte of text, the byte of the input it came from — which the tree
//! builders do not expose. The scanner is one pass over the input (linear
//! time), keeps an element stack of bounded depth, skips comments, scripts,
//! styles and the document head, and decodes character references.

/// Where a block belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Article,
    Boilerplate,
}

/// A run of text that ends a sentence at its end (paragraph, heading, item).
#[derive(Clone, Debug)]
pub struct Block {
    pub start: usize,
    pub end: usize,
    pub section: Section,
}

/// The document: text, a map from each text byte to an input byte, blocks.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub text: String,
    pub map: Vec<u32>,
    pub blocks: Vec<Block>,
    pub html: bool,
    /// A date given in the markup (`<time datetime>`, `article:published_time`).
    pub meta_date: Option<String>,
}

impl Document {
    /// The input byte offset of text byte `i` (or the input's end).
    pub fn source(&self, i: usize, input_len: usize) -> usize {
        if i < self.map.len() {
            self.map[i] as usize
        } else {
            input_len
        }
    }
}

/// Whether the input looks like HTML.
pub fn looks_like_html(input: &str) -> bool {
    let head: String = input
        .chars()
        .take(65_536)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<html",
        "<!doctype html",
        "<body",
        "<p>",
        "<p ",
        "<div",
        "<article",
        "<br",
    ]
    .iter()
    .any(|t| head.contains(t))
}

/// Reads `input` (HTML if it looks like it).
pub fn read(input: &str) -> Document {
    if looks_like_html(input) {
        read_html(input)
    } else {
        read_text(input)
    }
}

struct Builder {
    doc: Document,
    block_start: usize,
    pending_space: bool,
}

impl Builder {
    fn new(html: bool) -> Self {
        Builder {
            doc: Document {
                html,
                ..Default::default()
            },
            block_start: 0,
            pending_space: false,
        }
    }
    fn push_char(&mut self, c: char, src: usize) {
        if c.is_whitespace() {
            if self.doc.text.len() > self.block_start {
                self.pending_space = true;
            }
            return;
        }
        if self.pending_space {
            self.doc.text.push(' ');
            self.doc.map.push(src as u32);
            self.pending_space = false;
        }
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        for _ in 0..s.len() {
            self.doc.map.push(src as u32);
        }
        self.doc.text.push(c);
    }
    fn end_block(&mut self, section: Section) {
        self.pending_space = false;
        if self.doc.text.len() > self.block_start {
            self.doc.blocks.push(Block {
                start: self.block_start,
                end: self.doc.text.len(),
                section,
            });
            // A newline between blocks keeps them apart in the text.
            self.doc.text.push('\n');
            let last = self.doc.map.last().copied().unwrap_or(0);
            self.doc.map.push(last);
        }
        self.block_start = self.doc.text.len();
    }
}

/// Plain text: blocks are lines; a line belongs to boilerplate when it is
/// navigation (`Home | Markets | …`), a counter (`27 comments`), a share or
/// sign-in line, or is in a list under a heading such as "Most read".
pub fn read_text(input: &str) -> Document {
    let mut b = Builder::new(false);
    let mut in_list = false;
    let mut offset = 0;
    for line in input.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            in_list = false;
            continue;
        }
        let heading = is_boilerplate_heading(trimmed);
        if heading {
            in_list = true;
        }
        let section = if heading || in_list || is_boilerplate_line(trimmed) {
            Section::Boilerplate
        } else {
            Section::Article
        };
        for (i, c) in line.char_indices() {
            b.push_char(c, start + i);
        }
        b.end_block(section);
    }
    b.doc
}

/// Headings of lists that are not the article.
fn is_boilerplate_heading(line: &str) -> bool {
    let l = line.trim_end_matches(':').to_lowercase();
    [
        "most read",
        "most popular",
        "popular now",
        "latest stories",
        "latest news",
        "latest",
        "related",
        "related stories",
        "related articles",
        "read more",
        "trending",
        "more from",
        "you may also like",
        "recommended",
        "about the author",
        "comments",
        "advertisement",
    ]
    .iter()
    .any(|h| l == *h || (l.starts_with(h) && l.len() < h.len() + 20))
}

fn is_boilerplate_line(line: &str) -> bool {
    let l = line.to_lowercase();
    if line.matches(" | ").count() >= 2 || l.starts_with("by ") && line.contains(" | ") {
        return true;
    }
    let words: Vec<&str> = l.split_whitespace().collect();
    let counter = words.len() <= 3
        && words
            .first()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit() || c == ','))
        && words.iter().skip(1).any(|w| {
            [
                "comment", "comments", "shares", "share", "likes", "views", "replies",
            ]
            .contains(w)
        });
    counter
        || l.starts_with("share this")
        || l.starts_with("share:")
        || l.starts_with("sign in")
        || l.starts_with("sign up")
        || l.starts_with("subscribe")
        || l.starts_with("follow us")
        || l.starts_with("advertisement")
        || l.starts_with("©")
        || l.starts_with("copyright")
}

/// Class, id and role words of boilerplate containers.
const BOILERPLATE_ATTR: &[&str] = &[
    "nav",
    "menu",
    "breadcrumb",
    "sidebar",
    "related",
    "latest",
    "most-read",
    "mostread",
    "most-popular",
    "popular",
    "trending",
    "share",
    "social",
    "comment",
    "author",
    "byline-box",
    "newsletter",
    "subscribe",
    "signup",
    "footer",
    "topbar",
    "promo",
    "advert",
    "widget",
    "cookie",
    "login",
    "banner",
    "masthead",
];

const BOILERPLATE_TAGS: &[&str] = &["nav", "footer", "aside", "form", "button", "menu", "select"];

const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "title", "object", "canvas",
];

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "br",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "aside",
    "nav",
    "header",
    "footer",
    "main",
    "blockquote",
    "figure",
    "figcaption",
    "time",
    "dd",
    "dt",
    "dl",
    "hr",
    "pre",
    "address",
    "form",
    "button",
    "label",
    "select",
    "option",
];

const VOID_TAGS: &[&str] = &[
    "br", "img", "meta", "link", "input", "hr", "area", "base", "col", "embed", "source", "track",
    "wbr", "param",
];

/// Deepest element stack kept (deeper elements are read as text of the
/// deepest kept one).
const MAX_DEPTH: usize = 256;

struct Open {
    name: String,
    boilerplate: bool,
}

fn attr_is_boilerplate(attrs: &str) -> bool {
    let a = attrs.to_ascii_lowercase();
    let mut values = String::new();
    for key in ["class=", "id=", "role="] {
        let mut rest = a.as_str();
        while let Some(p) = rest.find(key) {
            let v = &rest[p + key.len()..];
            let (val, after) = match v.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &v[1..];
                    let e = inner.find(q).unwrap_or(inner.len());
                    (&inner[..e], &inner[e.min(inner.len())..])
                }
                _ => {
                    let e = v.find(|c: char| c.is_whitespace()).unwrap_or(v.len());
                    (&v[..e], &v[e..])
                }
            };
            values.push(' ');
            values.push_str(val);
            rest = after;
        }
    }
    BOILERPLATE_ATTR.iter().any(|w| values.contains(w))
}

fn attr_value<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let p = lower.find(&format!("{key}="))?;
    let v = &attrs[p + key.len() + 1..];
    match v.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let inner = &v[1..];
            Some(&inner[..inner.find(q).unwrap_or(inner.len())])
        }
        _ => Some(
            &v[..v
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(v.len())],
        ),
    }
}

/// HTML: one pass, element stack with boilerplate flags.
pub fn read_html(input: &str) -> Document {
    let bytes = input.as_bytes();
    let mut b = Builder::new(true);
    let mut stack: Vec<Open> = Vec::new();
    let mut in_article = 0usize;
    let section_of = |stack: &[Open]| {
        if stack.iter().any(|o| o.boilerplate) {
            Section::Boilerplate
        } else {
            Section::Article
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            // Comment, doctype, processing instruction.
            if input[i..].starts_with("<!--") {
                i = find_from(input, i + 4, "-->").map_or(bytes.len(), |p| p + 3);
                continue;
            }
            if input[i..].starts_with("<!") || input[i..].starts_with("<?") {
                i = find_byte(bytes, i, b'>').map_or(bytes.len(), |p| p + 1);
                continue;
            }
            let closing = bytes.get(i + 1) == Some(&b'/');
            let name_start = if closing { i + 2 } else { i + 1 };
            let mut j = name_start;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
                j += 1;
            }
            if j == name_start {
                // A lone '<' is text.
                b.push_char('<', i);
                i += 1;
                continue;
            }
            let name = input[name_start..j].to_ascii_lowercase();
            let end = tag_end(bytes, j);
            let attrs_end = if end > j && bytes[end - 1] == b'>' {
                end - 1
            } else {
                end
            };
            let attrs = &input[j..attrs_end];
            let self_closing = attrs.trim_end().ends_with('/');
            i = end;
            if !closing && name == "time" {
                if let Some(d) = attr_value(attrs, "datetime") {
                    b.doc.meta_date.get_or_insert_with(|| d.to_string());
                }
            }
            if !closing && name == "meta" {
                let prop = attr_value(attrs, "property").or_else(|| attr_value(attrs, "name"));
                if prop.is_some_and(|p| p.contains("published_time") || p == "date") {
                    if let Some(c) = attr_value(attrs, "content") {
                        b.doc.meta_date.get_or_insert_with(|| c.to_string());
                    }
                }
            }
            if !closing && SKIP_TAGS.contains(&name.as_str()) && !self_closing {
                // Skip to the matching close tag (raw text for script/style;
                // the head and its title hold no article text).
                let close = format!("</{name}");
                i = find_ci(input, i, &close)
                    .map(|p| tag_end(bytes, p + close.len()))
                    .unwrap_or(bytes.len());
                continue;
            }
            let is_block = BLOCK_TAGS.contains(&name.as_str());
            if is_block {
                let s = section_of(&stack);
                b.end_block(s);
            }
            if closing {
                if let Some(pos) = stack.iter().rposition(|o| o.name == name) {
                    for o in stack.drain(pos..) {
                        if o.name == "article" || o.name == "main" {
                            in_article = in_article.saturating_sub(1);
                        }
                    }
                }
            } else if !VOID_TAGS.contains(&name.as_str()) && !self_closing {
                let boilerplate = BOILERPLATE_TAGS.contains(&name.as_str())
                    || (name == "header" && in_article == 0)
                    || attr_is_boilerplate(attrs);
                if name == "article" || name == "main" {
                    in_article += 1;
                }
                if stack.len() < MAX_DEPTH {
                    stack.push(Open { name, boilerplate });
                }
            }
            continue;
        }
        if bytes[i] == b'&' {
            if let Some((c, len)) = entity(&input[i..]) {
                b.push_char(c, i);
                i += len;
                continue;
            }
        }
        let c = input[i..].chars().next().unwrap_or(' ');
        b.push_char(c, i);
        i += c.len_utf8();
    }
    let s = section_of(&stack);
    b.end_block(s);
    b.doc
}

fn find_from(s: &str, from: usize, pat: &str) -> Option<usize> {
    s.get(from..)?.find(pat).map(|p| p + from)
}

fn find_byte(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b[from..].iter().position(|&x| x == c).map(|p| p + from)
}

/// Case-insensitive search of an ASCII pattern.
fn find_ci(s: &str, from: usize, pat: &str) -> Option<usize> {
    let hay = s.as_bytes();
    let p = pat.as_bytes();
    if p.is_empty() || hay.len() < p.len() {
        return None;
    }
    let first = p[0].to_ascii_lowercase();
    let mut i = from;
    while i + p.len() <= hay.len() {
        if hay[i].to_ascii_lowercase() == first && hay[i..i + p.len()].eq_ignore_ascii_case(p) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The byte after the `>` closing a tag, honouring quoted attribute values.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return i + 1,
            None => {}
        }
        i += 1;
    }
    b.len()
}

/// A character reference at the start of `s`: the character and its length.
pub fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.bytes().take(12).position(|c| c == b';')?;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let n = if let Some(h) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(h, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        char::from_u32(n).unwrap_or('\u{FFFD}')
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "ndash" => '–',
            "mdash" => '—',
            "middot" => '·',
            "copy" => '©',
            "reg" => '®',
            "rsquo" => '’',
            "lsquo" => '‘',
            "rdquo" => '”',
            "ldquo" => '“',
            "hellip" => '…',
            "euro" => '€',
            "pound" => '£',
            "yen" => '¥',
            "deg" => '°',
            "times" => '×',
            "shy" => '\u{AD}',
            "uuml" => 'ü',
            "ouml" => 'ö',
            "ccedil" => 'ç',
            "scedil" => 'ş',
            "eacute" => 'é',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(d: &Document) -> Vec<(String, Section)> {
        d.blocks
            .iter()
            .map(|b| (d.text[b.start..b.end].to_string(), b.section))
            .collect()
    }

    #[test]
    fn html_blocks_boilerplate_and_entities() {
        let html = "<html><head><title>T 5%</title><script>var x = '<p>9 t</p>';</script></head><body>\
            <nav><a>Home</a></nav><article><h1>Big &amp; bold</h1><p>China&#8217;s quota: 270,000&nbsp;t.</p>\
            <div class=\"share-bar\">12 shares</div></article><aside><p>Gold up 3%</p></aside></body></html>";
        let d = read(html);
        assert!(d.html);
        let s = sections(&d);
        assert_eq!(
            s,
            vec![
                ("Home".to_string(), Section::Boilerplate),
                ("Big & bold".to_string(), Section::Article),
                ("China’s quota: 270,000 t.".to_string(), Section::Article),
                ("12 shares".to_string(), Section::Boilerplate),
                ("Gold up 3%".to_string(), Section::Boilerplate),
            ]
        );
        // The map points back to the input.
        let p = d.text.find("270,000").unwrap();
        assert_eq!(&html[d.map[p] as usize..d.map[p] as usize + 7], "270,000");
    }

    #[test]
    fn text_lists_and_counters() {
        let t = "Home | Markets | Metals\n\nTitle\n\nBody 5 t.\n\nMOST READ\n1. Gold $2,000\n2. Oil\n\n27 comments\n";
        let d = read(t);
        assert!(!d.html);
        let s = sections(&d);
        assert_eq!(s[0].1, Section::Boilerplate);
        assert_eq!(s[1], ("Title".to_string(), Section::Article));
        assert_eq!(s[2], ("Body 5 t.".to_string(), Section::Article));
        assert!(s[3..].iter().all(|(_, sec)| *sec == Section::Boilerplate));
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for s in [
            "<",
            "<p",
            "<!--",
            "&#xFFFFFFFF;",
            "<p class='a>x",
            "&#99999999999;",
            "<<<>>>",
        ] {
            let d = read_html(s);
            assert_eq!(d.map.len(), d.text.len());
        }
    }
}
