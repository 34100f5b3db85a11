//! Names the reader recognises: regions (the dataset's names and aliases
//! plus demonyms, capitals and member states), facilities and the companies
//! that run them (keyword → dataset ids, most specific first), elements.
//!
//! Every facility id named here is checked against the embedded datasets by
//! a unit test; an id that is not in the dataset in use is skipped.

/// Extra names of regions, beyond `regions.csv` (lower case): demonyms,
/// capitals and places used in news as metonyms, EU member states.
pub const REGION_EXTRA: &[(&str, &str)] = &[
    ("chinese", "CN"),
    ("beijing", "CN"),
    ("inner mongolia", "CN"),
    ("burmese", "MM"),
    ("laotian", "LA"),
    ("vietnamese", "VN"),
    ("malaysian", "MY"),
    ("kuala lumpur", "MY"),
    ("thai", "TH"),
    ("australian", "AU"),
    ("western australia", "AU"),
    ("canberra", "AU"),
    ("american", "US"),
    ("washington", "US"),
    ("pentagon", "US"),
    ("department of defense", "US"),
    ("texas", "US"),
    ("california", "US"),
    ("utah", "US"),
    ("the united states", "US"),
    ("united states", "US"),
    ("u.s.", "US"),
    ("canadian", "CA"),
    ("ottawa", "CA"),
    ("saskatchewan", "CA"),
    ("brazilian", "BR"),
    ("turkish", "TR"),
    ("ankara", "TR"),
    ("eskisehir", "TR"),
    ("eskişehir", "TR"),
    ("european", "EU"),
    ("brussels", "EU"),
    ("the bloc", "EU"),
    ("european commission", "EU"),
    ("germany", "EU"),
    ("german", "EU"),
    ("france", "EU"),
    ("french", "EU"),
    ("estonia", "EU"),
    ("estonian", "EU"),
    ("italy", "EU"),
    ("spain", "EU"),
    ("sweden", "EU"),
    ("swedish", "EU"),
    ("finland", "EU"),
    ("netherlands", "EU"),
    ("belgium", "EU"),
    ("poland", "EU"),
    ("austria", "EU"),
    ("denmark", "EU"),
    ("danish", "EU"),
    ("british", "UK"),
    ("london", "UK"),
    ("japanese", "JP"),
    ("tokyo", "JP"),
    ("korean", "KR"),
    ("seoul", "KR"),
    ("indian", "IN"),
    ("new delhi", "IN"),
    ("russian", "RU"),
    ("moscow", "RU"),
    ("african", "AF"),
    ("malagasy", "AF"),
    ("greenlandic", "GL"),
    ("nuuk", "GL"),
];

/// Region names matched case-sensitively only (they are also words).
pub const REGION_CASED: &[(&str, &str)] = &[("US", "US"), ("EU", "EU"), ("UK", "UK")];

/// Phrases that name a region but must not count as one (a region's name
/// inside another name).
pub const NOT_REGIONS: &[&str] = &[
    "paris agreement",
    "washington post",
    "china northern",
    "china rare earth",
    "south china sea",
    "china minmetals",
];

/// The facility vocabulary: a keyword (lower case) and the dataset ids it may
/// mean, most likely first. Variant cues near the figure choose among them
/// (see [`VARIANT_CUES`]).
pub const FACILITIES: &[(&str, &[&str])] = &[
    (
        "project phoenix",
        &["us_mountain_pass_phoenix", "us_mountain_pass"],
    ),
    ("phoenix", &["us_mountain_pass_phoenix"]),
    ("upstream 60k", &["us_mountain_pass_upstream60k"]),
    (
        "mountain pass",
        &["us_mountain_pass", "us_mountain_pass_phoenix"],
    ),
    ("independence plant", &["us_mp_independence"]),
    ("fort worth", &["us_mp_independence"]),
    ("10X", &["us_mp_10x"]),
    ("bayan obo", &["cn_bayan_obo"]),
    ("baotou steel", &["cn_bayan_obo"]),
    ("mount weld", &["au_mt_weld", "au_mt_weld_p1"]),
    ("mt weld", &["au_mt_weld", "au_mt_weld_p1"]),
    (
        "lynas advanced materials plant",
        &["my_lynas_kuantan", "my_lynas_lamp_p1"],
    ),
    ("lamp", &["my_lynas_kuantan", "my_lynas_lamp_p1"]),
    ("kuantan", &["my_lynas_kuantan", "my_lynas_lamp_p1"]),
    ("gebeng", &["my_lynas_kuantan", "my_lynas_lamp_p1"]),
    ("seadrift", &["us_lynas_seadrift"]),
    ("kalgoorlie", &["my_lynas_kuantan"]),
    ("beylikova", &["tr_beylikova"]),
    ("eti maden", &["tr_beylikova"]),
    ("nolans", &["au_arafura_nolans"]),
    ("arafura", &["au_arafura_nolans"]),
    ("eneabba", &["au_iluka_eneabba"]),
    ("iluka", &["au_iluka_eneabba"]),
    ("kvanefjeld", &["gl_kvanefjeld"]),
    ("energy transition minerals", &["gl_kvanefjeld"]),
    ("tanbreez", &["gl_tanbreez"]),
    ("critical metals", &["gl_tanbreez"]),
    ("songwe", &["af_songwe_hill"]),
    ("mkango", &["af_songwe_hill"]),
    ("ngualla", &["af_ngualla"]),
    ("phalaborwa", &["af_phalaborwa"]),
    ("steenkampskraal", &["af_steenkampskraal"]),
    ("nechalacho", &["ca_nechalacho_tardiff"]),
    ("serra verde", &["br_serra_verde"]),
    ("lovozero", &["ru_lovozero"]),
    ("solikamsk", &["ru_solikamsk_separation"]),
    ("white mesa", &["us_energy_fuels_white_mesa"]),
    ("energy fuels", &["us_energy_fuels_white_mesa"]),
    ("silmet", &["eu_neo_silmet", "eu_silmet"]),
    ("sillamae", &["eu_neo_silmet", "eu_silmet"]),
    ("narva", &["eu_neo_narva_p1"]),
    ("la rochelle", &["eu_solvay_la_rochelle"]),
    ("vacuumschmelze", &["eu_vac_hanau"]),
    ("noveon", &["us_noveon"]),
    ("e-vac", &["us_evac_sumter"]),
    ("hypromag", &["uk_hypromag_tyseley"]),
    ("jl mag", &["cn_jl_mag"]),
    ("saskatchewan research council", &["ca_src_saskatoon"]),
    ("saskatoon", &["ca_src_saskatoon"]),
    ("china northern rare earth", &["cn_bayan_obo"]),
    ("china northern", &["cn_bayan_obo"]),
];

/// Companies: a name (lower case) and its facilities by stage (mining,
/// separation, magnet), each list most likely first.
pub struct Company {
    pub name: &'static str,
    pub mining: &'static [&'static str],
    pub separation: &'static [&'static str],
    pub magnet: &'static [&'static str],
}

pub const COMPANIES: &[Company] = &[
    Company {
        name: "mp materials",
        mining: &["us_mountain_pass"],
        separation: &["us_mp_mountain_pass"],
        magnet: &["us_mp_independence"],
    },
    Company {
        name: "molycorp",
        mining: &["us_mountain_pass_phoenix", "us_mountain_pass"],
        separation: &["us_phoenix_separation", "us_mp_mountain_pass"],
        magnet: &[],
    },
    Company {
        name: "lynas",
        mining: &["au_mt_weld", "au_mt_weld_p1"],
        separation: &["my_lynas_kuantan", "my_lynas_lamp_p1", "us_lynas_seadrift"],
        magnet: &[],
    },
];

/// Words near a figure that choose among a facility's variants: the cue
/// (lower case), the id suffix or id it selects.
pub const VARIANT_CUES: &[(&str, &str)] = &[
    ("pilot", "_pilot"),
    ("first phase", "_p1"),
    ("phase one", "_p1"),
    ("phase 1", "_p1"),
    ("second phase", "_p2"),
    ("phase two", "_p2"),
    ("phase 2", "_p2"),
    ("stage two", "_p2"),
];

/// Element names (lower case) and symbols. `NdPr` is kept as one subject
/// (checked against Nd and Pr observations).
pub const ELEMENT_NAMES: &[(&str, &str)] = &[
    ("lanthanum", "La"),
    ("cerium", "Ce"),
    ("praseodymium", "Pr"),
    ("neodymium-praseodymium", "NdPr"),
    ("neodymium", "Nd"),
    ("samarium", "Sm"),
    ("europium", "Eu"),
    ("gadolinium", "Gd"),
    ("terbium", "Tb"),
    ("dysprosium", "Dy"),
    ("holmium", "Ho"),
    ("erbium", "Er"),
    ("thulium", "Tm"),
    ("ytterbium", "Yb"),
    ("lutetium", "Lu"),
    ("yttrium", "Y"),
    ("scandium", "Sc"),
];

/// Symbols matched case-sensitively as whole words (La, Ce, Y and Tm are
/// left out: they are also ordinary words or initials).
pub const ELEMENT_SYMBOLS: &[&str] = &[
    "NdPr", "Nd", "Pr", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Yb", "Lu",
];

/// Lower-case words that give a figure's stage.
pub const STAGE_WORDS: &[(&str, &str)] = &[
    ("mine", "mining"),
    ("mines", "mining"),
    ("mined", "mining"),
    ("mining", "mining"),
    ("extract", "mining"),
    ("extraction", "mining"),
    ("production", "mining"),
    ("produce", "mining"),
    ("produces", "mining"),
    ("produced", "mining"),
    ("output", "mining"),
    ("supplied", "mining"),
    ("yield", "mining"),
    ("separation", "separation"),
    ("separate", "separation"),
    ("separated", "separation"),
    ("refine", "separation"),
    ("refines", "separation"),
    ("refined", "separation"),
    ("refining", "separation"),
    ("refinery", "separation"),
    ("processing", "separation"),
    ("process", "separation"),
    ("processed", "separation"),
    ("smelting", "separation"),
    ("magnet", "magnet"),
    ("magnets", "magnet"),
    ("demand", "demand"),
    ("consumption", "demand"),
    ("needs", "demand"),
    ("export", "trade"),
    ("exports", "trade"),
    ("exported", "trade"),
    ("import", "trade"),
    ("imports", "trade"),
    ("imported", "trade"),
    ("shipments", "trade"),
    ("reserve", "reserves"),
    ("reserves", "reserves"),
    ("resource", "reserves"),
    ("resources", "reserves"),
    ("deposit", "reserves"),
    ("holds", "reserves"),
    ("discovered", "reserves"),
    ("found", "reserves"),
    ("stockpile", "stockpile"),
    ("stockpiles", "stockpile"),
];

/// Words that make a percentage a change rather than a share.
pub const CHANGE_WORDS: &[&str] = &[
    "by",
    "up",
    "down",
    "rose",
    "risen",
    "rise",
    "fell",
    "fallen",
    "fall",
    "dropped",
    "drop",
    "plunge",
    "plunged",
    "plunges",
    "jumped",
    "jump",
    "gained",
    "lost",
    "increased",
    "decreased",
    "cut",
    "raised",
    "climbed",
    "slumped",
    "surged",
    "soared",
    "declined",
    "grew",
    "slipped",
];

/// Words after a percentage that make it a change (`a 30% jump`).
pub const CHANGE_AFTER: &[&str] = &[
    "rise", "increase", "fall", "drop", "jump", "gain", "decline", "cut", "rebound", "profit",
    "growth", "surge", "slump",
];
