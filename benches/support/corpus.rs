//! A deterministic generator of seed documents for benchmarks: realistic articles built from
//! a fixed seed, shaped like the five samples in `seeds/`.
//!
//! Every article has a title (`= T =` or a bare first line), most have an infobox whose lists
//! name people, units, belligerents, places and conflicts, then sections of prose that mention
//! the same names, and a See-also list naming other generated articles (and some that do not
//! exist). About one article in ten carries scrape defects like the samples': empty values,
//! `<hr>` residue, `22px`, `==Heading==`, `[citation needed]`, `< Prev   Next >`, joined
//! sentences, a near-spelling of a person's name.
//!
//! The entity pools are shared by all articles and drawn from with a skew, so a few names
//! appear in a large share of the corpus (what "references of a common entity" needs) while
//! most appear in a handful. The generator uses its own SplitMix64 generator and no hash-map
//! iteration, so the same seed and count give byte-identical output on every run.

use std::collections::HashSet;
use std::fmt::Write as _;

use seedls::index::date::MONTHS;

/// Bump when the output changes, so cached corpora on disk are rewritten.
pub(crate) const GENERATOR_VERSION: u32 = 2;

/// How often (in percent) the most common commander is added to an article's cast when the
/// skewed draw did not pick him: with the draw's own share and the articles without an
/// infobox, he ends up listed in about 30 % of the articles.
const COMMON_COMMANDER_SHARE: usize = 26;

/// The seed the benchmark uses.
pub(crate) const DEFAULT_SEED: u64 = 0x5EED_1944_0B5E_55ED;

/// SplitMix64: tiny, fast, and good enough to make text look varied.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// An independent stream for item `index` of a sequence, so each article can be written on
    /// its own (and in any order) and still come out the same.
    fn stream(seed: u64, index: u64) -> Rng {
        let mut mixer = Rng::new(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        Rng::new(mixer.next_u64())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0). The modulo bias is irrelevant at these sizes.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, chance: usize) -> bool {
        self.below(100) < chance
    }

    fn unit_interval(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index in `0..n` where small indexes are much likelier: index 0 comes up about
    /// 1/sqrt(n) of the time, so the first entries of a pool are the "famous" ones.
    fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit_interval();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }
}

/// What a name in an article stands for; the benchmark aims its requests by these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    Person,
    Unit,
    Belligerent,
    Place,
    Conflict,
    Article,
}

/// Where the generator wrote a name: byte offsets into the article's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WrittenName {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: NameKind,
    /// In an infobox value rather than in prose or a list.
    pub(crate) in_infobox: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Defect {
    EmptyValue,
    HrResidue,
    PixelSize,
    TightHeading,
    CitationNeeded,
    PrevNextDebris,
    JoinedSentences,
    NameVariant,
}

const ALL_DEFECTS: [Defect; 8] = [
    Defect::EmptyValue,
    Defect::HrResidue,
    Defect::PixelSize,
    Defect::TightHeading,
    Defect::CitationNeeded,
    Defect::PrevNextDebris,
    Defect::JoinedSentences,
    Defect::NameVariant,
];

#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub(crate) file_name: String,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) names: Vec<WrittenName>,
    pub(crate) has_infobox: bool,
    pub(crate) defects: Vec<Defect>,
}

/// The names every article draws from. The first entries of each pool are the most common.
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    pub(crate) people: Vec<String>,
    pub(crate) units: Vec<String>,
    pub(crate) belligerents: Vec<String>,
    pub(crate) places: Vec<String>,
    pub(crate) conflicts: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Corpus {
    pub(crate) pools: Pools,
    pub(crate) articles: Vec<Article>,
}

impl Corpus {
    pub(crate) fn total_bytes(&self) -> usize {
        self.articles.iter().map(|article| article.text.len()).sum()
    }

    /// FNV-1a over every file name and text: equal hashes, equal corpora.
    pub(crate) fn content_hash(&self) -> u64 {
        let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
        for article in &self.articles {
            for byte in article.file_name.bytes().chain([0]).chain(article.text.bytes()).chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
            }
        }
        hash
    }

    /// The most common person: the entity "references/rename of a common entity" is about.
    pub(crate) fn common_person(&self) -> &str {
        &self.pools.people[0]
    }
}

/// `count` articles from `seed`.
pub(crate) fn generate(seed: u64, count: usize) -> Corpus {
    let mut rng = Rng::new(seed);
    let pools = make_pools(&mut rng);
    let titles = make_titles(&mut rng, &pools, count);
    let title_set: HashSet<&str> = titles.iter().map(|title| title.full.as_str()).collect();
    let articles = (0..count)
        .map(|index| {
            let mut article_rng = Rng::stream(seed, index as u64);
            ArticleWriter::new(&mut article_rng, &pools, &titles, &title_set, index).write()
        })
        .collect();
    Corpus { pools, articles }
}

// ---------------------------------------------------------------------------------------------
// Word lists.

const ADJECTIVES: &[&str] = &[
    "Albanian",
    "Serbian",
    "Bulgarian",
    "Yugoslav",
    "German",
    "Montenegrin",
    "Greek",
    "Italian",
    "Soviet",
    "Ottoman",
    "Croatian",
    "Macedonian",
    "Romanian",
    "Hungarian",
    "Bosnian",
    "Kosovar",
];

const FAMOUS_PEOPLE: &[&str] = &[
    "Enver Hoxha",
    "Alexander Löhr",
    "Josip Broz Tito",
    "Mehmet Shehu",
    "Maximilian von Weichs",
    "Isa Boletini",
    "Mile Čalović",
    "Božidar Janković",
    "Midhat Frashëri",
    "Kiril Stanchev",
    "August Schmidhuber",
    "Milan Nedić",
    "Spiro Moisiu",
    "Ali Këlcyra",
    "Azem Galica",
    "Bajram Curri",
    "Idriz Seferi",
    "Aleksa Žujović",
    "Fyodor Tolbukhin",
    "Peko Dapčević",
];

const FIRST_NAMES: &[&str] = &[
    "Adem",
    "Agim",
    "Aleksandar",
    "Ali",
    "Anton",
    "Arben",
    "Asllan",
    "Bajram",
    "Besim",
    "Bogdan",
    "Boris",
    "Branko",
    "Dimitar",
    "Dragoljub",
    "Đorđe",
    "Dušan",
    "Emil",
    "Enver",
    "Ernst",
    "Fadil",
    "Friedrich",
    "Gani",
    "Georgi",
    "Gjergj",
    "Hasan",
    "Heinrich",
    "Hysni",
    "Ilija",
    "Isa",
    "Ivan",
    "Jovan",
    "Kiril",
    "Koço",
    "Konstantin",
    "Lazar",
    "Ljubodrag",
    "Luigi",
    "Marko",
    "Mehmet",
    "Mihailo",
    "Milan",
    "Miloš",
    "Muharrem",
    "Nikola",
    "Nexhmedin",
    "Otto",
    "Pavle",
    "Petar",
    "Prenk",
    "Qazim",
    "Radomir",
    "Ramadan",
    "Rexhep",
    "Sava",
    "Sejfulla",
    "Shefqet",
    "Spiro",
    "Stefan",
    "Stojan",
    "Svetozar",
    "Tomica",
    "Vasil",
    "Veli",
    "Vladimir",
    "Walter",
    "Xhafer",
    "Zef",
    "Živko",
    "Žarko",
    "Hamdi",
    "Ymer",
    "Çerçiz",
    "Dervish",
    "Emin",
    "Fehmi",
    "Gustav",
    "Hans",
    "Kurt",
    "Giorgos",
    "Nikolaos",
    "Andreas",
    "Mustafa",
    "Osman",
    "Yusuf",
    "Semyon",
    "Nikolai",
    "Fyodor",
    "Pyotr",
];

const SURNAMES: &[&str] = &[
    "Hoxha",
    "Shehu",
    "Frashëri",
    "Këlcyra",
    "Boletini",
    "Galica",
    "Curri",
    "Seferi",
    "Kryeziu",
    "Bajraktari",
    "Markagjoni",
    "Pervizi",
    "Dema",
    "Gashi",
    "Haxhiu",
    "Istrefi",
    "Krasniqi",
    "Mehmeti",
    "Prishtina",
    "Rugova",
    "Thaçi",
    "Topulli",
    "Zogu",
    "Dibra",
    "Vlora",
    "Luma",
    "Çela",
    "Kupi",
    "Mëhilli",
    "Kastrioti",
    "Popović",
    "Čalović",
    "Janković",
    "Žujović",
    "Lazarević",
    "Živković",
    "Nedić",
    "Đurić",
    "Mihailović",
    "Dapčević",
    "Koča",
    "Stanković",
    "Vukmanović",
    "Marković",
    "Petrović",
    "Jovanović",
    "Đilas",
    "Ranković",
    "Kardelj",
    "Vasović",
    "Stanchev",
    "Georgiev",
    "Velchev",
    "Marinov",
    "Ivanov",
    "Dimitrov",
    "Kolarov",
    "Todorov",
    "Löhr",
    "Schmidhuber",
    "Weichs",
    "Rendulic",
    "Kübler",
    "Felber",
    "Schröder",
    "Müller",
    "Lüters",
    "Jüttner",
    "Wittmann",
    "Bader",
    "Kesselring",
    "Tolbukhin",
    "Biryuzov",
    "Zhdanov",
    "Shcherbakov",
    "Gagen",
    "Kostopoulos",
    "Papadakis",
    "Zervas",
    "Velouchiotis",
    "Ciano",
    "Jacomoni",
    "Pariani",
    "Rossi",
    "Bianchi",
    "Kemal",
    "Pasha",
    "Tahir",
    "Rıza",
    "Bešlagić",
    "Hadžić",
    "Pašić",
    "Tomašević",
    "Kovačević",
    "Šubašić",
    "Vuković",
    "Đukanović",
    "Hyseni",
    "Cimili",
    "Preteni",
    "Meholli",
    "Ibishi",
    "Berisha",
    "Limaj",
    "Haradinaj",
    "Selimi",
    "Zeqiri",
];

const FAMOUS_UNITS: &[&str] = &[
    "2nd Bulgarian Army",
    "Army Group E",
    "National Liberation Army",
    "Balli Kombëtar",
    "21st Waffen Mountain Division",
    "7th SS Mountain Division",
    "3rd Ukrainian Front",
    "1st Proletarian Corps",
    "Royal Serbian Army",
    "Serbian State Guard",
    "Kampfgruppe Langer",
    "24th Serbian Division",
];

const UNIT_TYPES: &[&str] = &[
    "Division",
    "Brigade",
    "Corps",
    "Army",
    "Regiment",
    "Battalion",
    "Mountain Division",
    "Rifle Corps",
    "Guards Rifle Corps",
    "Tank Brigade",
    "Proletarian Brigade",
    "Partisan Detachment",
    "Infantry Division",
    "Cavalry Brigade",
    "Motorized Brigade",
    "Assault Brigade",
];

const SUB_UNITS: &[&str] = &[
    "1st Division",
    "2nd Division",
    "4th Division",
    "6th Division",
    "9th Division",
    "12th Division",
    "3rd Brigade",
    "5th Brigade",
    "1 Battalion",
    "Drina division II",
    "Ibar army",
    "Third Army",
    "2nd Regiment",
    "14th Regiment",
];

const FAMOUS_BELLIGERENTS: &[&str] = &[
    "Yugoslav Partisans",
    "Bulgaria",
    "Germany",
    "Albanian Partisans",
    "Balli Kombëtar",
    "Kingdom of Serbia",
    "Ottoman Empire",
    "Kingdom of Montenegro",
    "Soviet Union",
    "Chetniks",
    "LANÇ",
    "Kosovo Liberation Army",
    "Independent Albania",
    "Kingdom of Italy",
    "Greece",
    "FR Yugoslavia",
];

const BELLIGERENT_NOUNS: &[&str] = &[
    "Partisans",
    "Volunteers",
    "National Guard",
    "Militia",
    "Gendarmerie",
    "Insurgents",
    "Royal Army",
    "Liberation Front",
    "Home Guard",
    "Irregulars",
];

const FAMOUS_PLACES: &[&str] = &[
    "Kosovo",
    "Belgrade",
    "Albania",
    "Tirana",
    "Prizren",
    "Đakovica",
    "Peć",
    "Skopje",
    "Niš",
    "Vlorë",
    "Shkodër",
    "Kukës",
    "Priština",
    "Podujevo",
    "Uroševac",
    "Kosovska Mitrovica",
    "Leskovac",
    "Zaječar",
    "Smederevo",
    "Krujë",
    "Peshkopi",
    "Užice",
    "Kolašin",
    "Nikšić",
];

const ONSETS: &[&str] = &[
    "B", "Bj", "Č", "Ć", "D", "Dr", "Đ", "G", "Gj", "Gr", "K", "Kr", "L", "Lj", "M", "N", "Nj", "P", "Pr", "R", "S",
    "Sh", "Sk", "Sl", "Š", "T", "Tr", "V", "Vr", "Xh", "Z", "Zh", "Ž", "Br", "Dž",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ë", "a", "o", "e"];
const MIDDLES: &[&str] = &["r", "l", "n", "v", "k", "ž", "š", "lj", "dr", "st", "sh", "gj", "m", "j"];
/// Endings follow a vowel, so they start with a consonant.
const ENDINGS: &[&str] = &[
    "vo", "ca", "nica", "grad", "vac", "jan", "k", "n", "r", "še", "ljë", "zë", "ševo", "rovo", "nik", "vica", "čane",
    "shtë", "jë", "dovo", "lica", "nac",
];

const FAMOUS_CONFLICTS: &[&str] = &[
    "World War II in Yugoslavia",
    "First Balkan War",
    "Kosovo War",
    "World War II in Albania",
    "Second Balkan War",
    "Albanian Civil War (1943–1944)",
    "Yugoslav Wars",
    "Eastern Front",
    "Balkans campaign",
    "First World War",
];

const CODEWORDS: &[&str] = &[
    "Rübezahl",
    "Kugelblitz",
    "Schwarz",
    "Weiss",
    "Draufgänger",
    "Waldrausch",
    "Ziethen",
    "Trumpf",
    "Maibaum",
    "Herbstgewitter",
    "Panther",
    "Landsturm",
    "Rösselsprung",
    "Treibjagd",
    "Morgenstern",
    "Halyard",
    "Ratweek",
    "Flotsam",
    "Kopaonik",
    "Feuerwehr",
];

const SECTION_HEADINGS: &[&str] = &[
    "Background",
    "Prelude",
    "Forces",
    "Order of battle",
    "Operation",
    "Offensive",
    "Course of the battle",
    "Counter-offensive",
    "Invasion",
    "Fighting",
    "Casualties",
    "Crimes",
    "Legacy",
    "Analysis",
    "Commemoration",
];

// ---------------------------------------------------------------------------------------------
// Pools and titles.

fn make_pools(rng: &mut Rng) -> Pools {
    let mut people = unique(FAMOUS_PEOPLE);
    while people.len() < 2500 {
        let name = if rng.percent(6) {
            format!("{} von {}", rng.pick(&["Otto", "Hans", "Friedrich", "Walter", "Ernst"]), rng.pick(SURNAMES))
        } else if rng.percent(8) {
            format!("{} {} {}", rng.pick(FIRST_NAMES), rng.pick(FIRST_NAMES), rng.pick(SURNAMES))
        } else {
            format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(SURNAMES))
        };
        push_unique(&mut people, name);
    }
    let mut places = unique(FAMOUS_PLACES);
    while places.len() < 1500 {
        let mut name = String::new();
        name.push_str(rng.word(ONSETS));
        name.push_str(rng.word(VOWELS));
        for _ in 0..rng.below(2) {
            name.push_str(rng.word(MIDDLES));
            name.push_str(rng.word(VOWELS));
        }
        name.push_str(rng.word(ENDINGS));
        if rng.percent(8) {
            name = format!("{} {name}", rng.pick(&["Gornja", "Donja", "Novi", "Stari", "Veliki", "Mali"]));
        }
        push_unique(&mut places, name);
    }
    let mut units = unique(FAMOUS_UNITS);
    while units.len() < 1500 {
        let name = match rng.below(10) {
            0 => format!("Kampfgruppe {}", rng.pick(SURNAMES)),
            1 => format!("{} Brigade", places[rng.skewed(places.len())]),
            2 => format!("{} {}", ordinal(rng.between(1, 60)), rng.pick(UNIT_TYPES)),
            _ => format!("{} {} {}", ordinal(rng.between(1, 120)), rng.pick(ADJECTIVES), rng.pick(UNIT_TYPES)),
        };
        push_unique(&mut units, name);
    }
    let mut belligerents = unique(FAMOUS_BELLIGERENTS);
    while belligerents.len() < 300 {
        let name = match rng.below(3) {
            0 => format!("{} {}", places[rng.below(places.len())], rng.pick(BELLIGERENT_NOUNS)),
            _ => format!("{} {}", rng.pick(ADJECTIVES), rng.pick(BELLIGERENT_NOUNS)),
        };
        push_unique(&mut belligerents, name);
    }
    let mut conflicts = unique(FAMOUS_CONFLICTS);
    while conflicts.len() < 200 {
        let name = match rng.below(5) {
            0 => format!("{} Civil War", rng.pick(ADJECTIVES)),
            1 => format!("{} Uprising", places[rng.below(places.len())]),
            2 => format!("World War II in {}", places[rng.below(120)]),
            3 => format!("{}–{} War", rng.pick(ADJECTIVES), rng.pick(ADJECTIVES)),
            _ => format!("{} campaign ({})", places[rng.below(places.len())], year(rng)),
        };
        if !name.starts_with("Albanian–Albanian") {
            push_unique(&mut conflicts, name);
        }
    }
    Pools { people, units, belligerents, places, conflicts }
}

fn unique(names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        push_unique(&mut out, name.to_string());
    }
    out
}

/// Linear membership is fine for pools of a few thousand built once.
fn push_unique(names: &mut Vec<String>, name: String) {
    if !names.contains(&name) {
        names.push(name);
    }
}

struct Title {
    /// As written in the title line and linked from See-also lists.
    full: String,
    /// Without a trailing `(1944)`, the article's usual name in prose.
    base: String,
    year: i32,
    bare_style: bool,
}

fn make_titles(rng: &mut Rng, pools: &Pools, count: usize) -> Vec<Title> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut titles = Vec::with_capacity(count);
    while titles.len() < count {
        let place = &pools.places[rng.skewed(pools.places.len())];
        let other_place = &pools.places[rng.below(pools.places.len())];
        let base = match rng.below(12) {
            0 | 1 => format!("Battle of {place}"),
            2 => format!("{place} offensive"),
            3 => format!("{place} operation"),
            4 => format!("Siege of {place}"),
            5 => format!("Operation {}", rng.pick(CODEWORDS)),
            6 => format!("{place}-{other_place} operation"),
            7 => format!("{} invasion of {place}", rng.pick(ADJECTIVES)),
            8 => format!("{} counter-offensive in {place}", rng.pick(&["LANÇ", "Partisan", "German", "Bulgarian"])),
            9 => format!("{place} uprising"),
            10 => format!("Capture of {place}"),
            _ => format!("Liberation of {place}"),
        };
        let year = year(rng);
        let qualified = format!("{base} ({year})");
        let full = if rng.percent(45) || seen.contains(&base) { qualified } else { base.clone() };
        if seen.contains(&full) {
            continue;
        }
        seen.insert(full.clone());
        titles.push(Title { full, base, year, bare_style: rng.percent(30) });
    }
    titles
}

fn year(rng: &mut Rng) -> i32 {
    match rng.below(20) {
        0..=6 => rng.between(1941, 1945) as i32,
        7..=9 => rng.between(1912, 1918) as i32,
        10 | 11 => rng.between(1998, 1999) as i32,
        12 | 13 => rng.between(1991, 1995) as i32,
        _ => rng.between(1830, 1990) as i32,
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `40,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    slug.trim_end_matches('-').to_string()
}

// ---------------------------------------------------------------------------------------------
// Articles.

/// The people, units, places and sides one article is about: its prose mentions these more
/// than the rest of the pools, as a real article mentions its own commanders.
struct Cast {
    side_belligerents: [Vec<String>; 2],
    side_commanders: [Vec<String>; 2],
    side_units: [Vec<String>; 2],
    places: Vec<String>,
    conflict: String,
}

/// Sentence templates. `{P}` person, `{U}` unit, `{B}` belligerent, `{L}` place, `{C}`
/// conflict, `{A}` another article, `{D}` a day and month, `{M}` a month, `{N}` a number,
/// `{Y}` the article's year, `{T}` this article's name.
const SENTENCES: &[&str] = &[
    "On {D} {Y}, the {U} under {P} attacked German positions near {L}.",
    "The {U} was ordered to hold the road between {L} and {L} until reinforcements arrived from {L}.",
    "Despite heavy losses, {P} refused to withdraw the {U} from {L}, arguing that the line could be held for several more days.",
    "Forces of the {B} crossed the river north of {L} during the night and established a bridgehead on the western bank.",
    "According to later accounts by {P}, some {N} men of the {B} took part in the fighting around {L}.",
    "The {B} had been collaborating with the occupying forces since {M} {Y}, and its leaders feared reprisals after the war.",
    "In a meeting in {L} between {P} and representatives of the {B}, an agreement was reached for joint operations.",
    "Acting under the operational command of the {U}, the {U} pushed towards {L} with the support of local volunteers.",
    "The offensive was part of the wider {C}, and its outcome shaped the later {A}.",
    "Historians have compared the operation with the {A}, which had taken place in the same region a few months earlier.",
    "After the fall of {L}, {P} moved his headquarters to {L} and reorganised the {U}.",
    "Scattered units of the {B} regrouped in {L}, where they gathered reinforcements before retreating towards {L}.",
    "Guerrilla resistance was encountered during the passage of the {U} through {L}, {L} and the village of {L}.",
    "The {U} lost about {N} men killed and wounded, while the {B} suffered comparable losses.",
    "By {D}, the {B} controlled most of the roads leading into {L}.",
    "The order was not well received and, combined with passions felt about {L}, inflamed an insurrection led by {P}.",
    "Numbering at most {N} men, the defenders managed to hold off a force of {N} troops for two months.",
    "{P} later wrote that the decision to abandon {L} had been forced upon him by the collapse of the {U}.",
    "The {B} and the {B} coordinated their movements through liaison officers attached to the {U}.",
    "Training was supplemented by {P}, who imparted knowledge of enemy tactics to the recruits of the {U}.",
    "A convoy of several hundred vehicles, carrying between {N} and {N} people, moved south toward {L}.",
    "The final engagements of the {T} occurred during the month of {M}, when the {U} entered {L}.",
    "Air sorties of the Western Allies and the Soviets supported the advance against units of {P}'s {U}.",
    "Following the political changes of {Y}, the {B} sought to contribute to the war to redeem its national standing.",
    "Many civilians sought refuge in villages like {L} and {L}, which became overcrowded and housed a field hospital.",
    "Commanders {P} and {P} were later accused of war crimes in {L}, but the charges were dropped for lack of evidence.",
    "The {U} was extensively utilised, advancing into the mountains and engaging {B} troops on a daily basis.",
    "On {D}, soldiers of the {B} ambushed a convoy heading for {L} in the valley below {L}.",
    "Subsequent historiography has downplayed the role of the {B} for political reasons.",
    "The {T} ended with the withdrawal of the {B} from {L} on {D} {Y}.",
    "Plans for the campaign had been present in the politics of the {B} for many years, as {P} noted in his memoirs.",
    "It was only in {M} {Y} that the {B} were able to put down the uprising and establish their control over {L}.",
    "The main forces involved in this undertaking were the {U} supported by the {U} and the {U}.",
    "In twenty-four hours the {U} performed a 120 km long march, reaching {L} on {D} and leaving the enemy far behind.",
    "Every anniversary is marked in {L} with a ceremony attended by veterans of the {U}.",
    "Casualty figures remain disputed: {P} put the losses of the {B} at {N}, while other sources give a lower figure.",
];

const LEAD_SENTENCES: &[&str] = &[
    "The {T} was a major military operation launched between {D} and {D} {Y} by the {B}, with the assistance of the {B}, against the {B} in {L}.",
    "The {T} was a military offensive during the {C} between the {B} and the {B}.",
    "The {T} was a large-scale operation organised by the {B} with the goal of capturing {L} and defeating the {B}.",
    "The {T} was an engagement fought near {L} in {M} {Y}, during the {C}.",
];

struct ArticleWriter<'a> {
    rng: &'a mut Rng,
    pools: &'a Pools,
    titles: &'a [Title],
    title_set: &'a HashSet<&'a str>,
    index: usize,
    text: String,
    names: Vec<WrittenName>,
    in_infobox: bool,
    defects: Vec<Defect>,
}

impl<'a> ArticleWriter<'a> {
    fn new(
        rng: &'a mut Rng,
        pools: &'a Pools,
        titles: &'a [Title],
        title_set: &'a HashSet<&'a str>,
        index: usize,
    ) -> ArticleWriter<'a> {
        ArticleWriter {
            rng,
            pools,
            titles,
            title_set,
            index,
            text: String::with_capacity(8192),
            names: Vec::new(),
            in_infobox: false,
            defects: Vec::new(),
        }
    }

    fn has(&self, defect: Defect) -> bool {
        self.defects.contains(&defect)
    }

    fn name(&mut self, kind: NameKind, name: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        self.names.push(WrittenName { start, end: self.text.len(), kind, in_infobox: self.in_infobox });
    }

    fn person(&mut self) -> String {
        self.pools.people[self.rng.skewed(self.pools.people.len())].clone()
    }

    fn unit(&mut self) -> String {
        self.pools.units[self.rng.skewed(self.pools.units.len())].clone()
    }

    fn belligerent(&mut self) -> String {
        self.pools.belligerents[self.rng.skewed(self.pools.belligerents.len())].clone()
    }

    fn place(&mut self) -> String {
        self.pools.places[self.rng.skewed(self.pools.places.len())].clone()
    }

    fn several(&mut self, low: usize, high: usize, mut one: impl FnMut(&mut Self) -> String) -> Vec<String> {
        let wanted = self.rng.between(low, high);
        let mut names = Vec::new();
        for _ in 0..wanted * 2 {
            if names.len() == wanted {
                break;
            }
            let name = one(self);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Another article's title, near this one in the corpus (articles of a series link to
    /// each other) or anywhere.
    fn other_article(&mut self) -> usize {
        let count = self.titles.len();
        let other = if self.rng.percent(60) {
            (self.index + count + self.rng.between(1, 40) - 20) % count
        } else {
            self.rng.below(count)
        };
        if other == self.index { (other + 1) % count } else { other }
    }

    fn write(mut self) -> Article {
        let title = &self.titles[self.index];
        if self.rng.percent(10) {
            let how_many = self.rng.between(1, 3);
            for _ in 0..how_many {
                let defect = *self.rng.pick(&ALL_DEFECTS);
                if !self.defects.contains(&defect) {
                    self.defects.push(defect);
                }
            }
        }
        let mut cast = Cast {
            side_belligerents: [self.several(1, 3, Self::belligerent), self.several(1, 2, Self::belligerent)],
            side_commanders: [self.several(2, 5, Self::person), self.several(1, 5, Self::person)],
            side_units: [self.several(1, 3, Self::unit), self.several(1, 3, Self::unit)],
            places: self.several(2, 4, Self::place),
            conflict: self.pools.conflicts[self.rng.skewed(self.pools.conflicts.len())].clone(),
        };
        // One commander leads everywhere (as Tito or Hoxha do in the samples' wars): listed in
        // about 30 % of the articles, so that references, rename and definition of the most
        // common entity cross thousands of files, as on a real encyclopedia.
        let famous = &self.pools.people[0];
        if self.rng.percent(COMMON_COMMANDER_SHARE) && !cast.side_commanders.iter().flatten().any(|name| name == famous)
        {
            cast.side_commanders[0].insert(0, famous.clone());
        }
        // Articles with a bare title are the scraped ones: some have no infobox at all.
        let has_infobox = !title.bare_style || self.rng.percent(50);
        if title.bare_style {
            self.name(NameKind::Article, &title.full);
            self.text.push_str("\n\n");
        } else {
            self.text.push_str("= ");
            self.name(NameKind::Article, &title.full);
            self.text.push_str(" =\n\n");
        }
        if has_infobox {
            self.infobox(title, &cast);
            self.text.push('\n');
        }
        self.lead(title, &cast);
        let sections = self.rng.between(3, 6);
        let mut headings: Vec<&str> = Vec::new();
        while headings.len() < sections {
            let heading = *self.rng.pick(SECTION_HEADINGS);
            if !headings.contains(&heading) {
                headings.push(heading);
            }
        }
        for (section, heading) in headings.iter().enumerate() {
            self.heading(2, heading, title.bare_style);
            if self.rng.percent(25) {
                let sub = format!("{} preparations", self.rng.pick(ADJECTIVES));
                self.heading(3, &sub, title.bare_style);
            }
            let paragraphs = self.rng.between(1, 3);
            for _ in 0..paragraphs {
                self.paragraph(title, &cast, section);
            }
        }
        self.see_also(title.bare_style);
        if self.has(Defect::PrevNextDebris) {
            self.text.push_str(" \n< Prev   Next >");
        }
        let file_name = format!("{:05}_{}.txt", self.index, slug(&title.full));
        Article {
            file_name,
            title: title.full.clone(),
            text: self.text,
            names: self.names,
            has_infobox,
            defects: self.defects,
        }
    }

    fn entry_start(&mut self, key: &str) {
        self.text.push_str("- ");
        self.text.push_str(key);
        self.text.push_str(": ");
    }

    fn list_value(&mut self, kind: NameKind, names: &[String]) {
        for (index, name) in names.iter().enumerate() {
            if index > 0 {
                self.text.push_str(", ");
            }
            self.name(kind, name);
        }
    }

    fn infobox(&mut self, title: &Title, cast: &Cast) {
        self.text.push_str("Infobox\n");
        self.in_infobox = true;
        if self.rng.percent(90) {
            self.entry_start("Conflict");
            let conflict = if self.rng.percent(50) { title.base.clone() } else { title.full.clone() };
            self.name(NameKind::Article, &conflict);
            self.text.push('\n');
        }
        self.entry_start("Partof");
        if self.rng.percent(15) {
            let other = self.other_article();
            let name = self.titles[other].full.clone();
            self.name(NameKind::Article, &name);
        } else {
            self.name(NameKind::Conflict, &cast.conflict);
        }
        self.text.push('\n');
        self.entry_start("Date");
        let date = self.date(title.year);
        self.text.push_str(&date);
        self.text.push('\n');
        self.entry_start("Place");
        let place_count = self.rng.between(1, 2);
        self.list_value(NameKind::Place, &cast.places[..place_count]);
        self.text.push('\n');
        self.entry_start("Result");
        self.result(cast);
        self.text.push('\n');
        if self.rng.percent(10) {
            self.entry_start("Territory");
            self.text.push_str("Forces of the ");
            self.name(NameKind::Belligerent, &cast.side_belligerents[0][0]);
            self.text.push_str(" captured ");
            self.name(NameKind::Place, &cast.places[0]);
            self.text.push('\n');
        }
        for side in 0..2 {
            self.entry_start(&format!("Combatant{}", side + 1));
            if side == 1 && self.has(Defect::EmptyValue) {
                self.text.push(',');
            } else if side == 0 && self.has(Defect::HrResidue) {
                self.list_value(NameKind::Belligerent, &cast.side_belligerents[side][..1]);
                self.text.push_str("<hr />, , ");
                self.list_value(NameKind::Belligerent, &cast.side_belligerents[side][1..]);
                self.text.push(',');
            } else {
                self.list_value(NameKind::Belligerent, &cast.side_belligerents[side]);
            }
            self.text.push('\n');
        }
        for side in 0..2 {
            self.entry_start(&format!("Commander{}", side + 1));
            let commanders = cast.side_commanders[side].clone();
            for (index, name) in commanders.iter().enumerate() {
                if index > 0 {
                    self.text.push_str(", ");
                }
                if side == 1 && index == 0 && self.has(Defect::NameVariant) {
                    let variant = near_spelling(name);
                    self.name(NameKind::Person, &variant);
                } else {
                    self.name(NameKind::Person, name);
                }
            }
            self.text.push('\n');
        }
        if self.rng.percent(75) {
            for side in 0..2 {
                self.entry_start(&format!("Units{}", side + 1));
                if side == 1 && self.has(Defect::PixelSize) {
                    self.text.push_str("22px ");
                }
                let units = cast.side_units[side].clone();
                for (index, unit) in units.iter().enumerate() {
                    if index > 0 {
                        self.text.push_str(", ");
                    }
                    self.name(NameKind::Unit, unit);
                    let children = self.rng.between(0, 4);
                    for child in 0..children {
                        self.text.push_str(if self.rng.percent(30) { ", * " } else { ", *" });
                        let sub = if self.rng.percent(70) { self.rng.pick(SUB_UNITS).to_string() } else { self.unit() };
                        self.name(NameKind::Unit, &sub);
                        if child == 0 && self.rng.percent(30) {
                            self.text.push_str(", **");
                            let regiment = format!("{} Regiment", ordinal(self.rng.between(1, 40)));
                            self.name(NameKind::Unit, &regiment);
                        }
                    }
                }
                self.text.push('\n');
            }
        }
        if self.rng.percent(70) {
            for side in 1..=2 {
                self.entry_start(&format!("Strength{side}"));
                let strength = self.strength();
                self.text.push_str(&strength);
                self.text.push('\n');
            }
        }
        if self.rng.percent(40) {
            for side in 1..=2 {
                self.entry_start(&format!("Casualties{side}"));
                let casualties = match self.rng.below(4) {
                    0 => "Unknown".to_string(),
                    1 => "Low".to_string(),
                    _ => format!(
                        "{} killed, {} wounded",
                        thousands(self.rng.between(2, 400) * 10),
                        thousands(self.rng.between(2, 900) * 10)
                    ),
                };
                self.text.push_str(&casualties);
                self.text.push('\n');
            }
        }
        self.in_infobox = false;
    }

    fn result(&mut self, cast: &Cast) {
        match self.rng.below(5) {
            0 => self.text.push_str("Allied victory"),
            1 => self.text.push_str("Inconclusive"),
            2 => {
                self.text.push_str("Decisive ");
                self.text.push_str(self.rng.word(ADJECTIVES));
                self.text.push_str(" victory");
            }
            3 => {
                self.name(NameKind::Belligerent, &cast.side_belligerents[0][0]);
                self.text.push_str(" victory, Withdrawal of ");
                self.name(NameKind::Belligerent, &cast.side_belligerents[1][0]);
                self.text.push_str(" forces from ");
                self.name(NameKind::Place, &cast.places[0]);
            }
            _ => {
                self.text.push_str("Defeat of ");
                self.name(NameKind::Belligerent, &cast.side_belligerents[1][0]);
            }
        }
    }

    fn strength(&mut self) -> String {
        match self.rng.below(6) {
            0 => "Unknown".to_string(),
            1 => format!(
                "{}+ troops stationed, (most not involved in combat)",
                thousands(self.rng.between(10, 700) * 1000)
            ),
            2 => format!(
                "one battalion containing around {}+ soldiers, {} volunteers",
                self.rng.between(3, 9) * 100,
                thousands(self.rng.between(2, 30) * 500)
            ),
            3 => format!("{} men, {} tanks", thousands(self.rng.between(5, 80) * 1000), self.rng.between(3, 200)),
            _ => format!("{} men", thousands(self.rng.between(1, 120) * 500)),
        }
    }

    /// A Date value in one of the shapes the samples use.
    fn date(&mut self, year: i32) -> String {
        let month = self.rng.below(11);
        let day = self.rng.between(1, 28);
        let later_day = self.rng.between(1, 28);
        let (first, next) = (MONTHS[month], MONTHS[month + 1]);
        match self.rng.below(10) {
            0..=2 => format!("{day} {first} – {later_day} {next} {year}"),
            3 => format!("{}–{} {first} {year}", day.min(later_day), day.max(later_day) + 1),
            4 => format!("mid-{first} – {later_day} {next} {year}"),
            5 => format!("{first} and {next} {year}"),
            6 => format!("{first} {year} – {} {}", MONTHS[self.rng.below(12)], year + 1),
            7 => format!("{first} {day}, {year}"),
            8 => format!("{year}–{}", year + 1),
            _ => {
                if self.rng.percent(20) {
                    format!("{year} – present")
                } else {
                    format!("{day} {first} {year}")
                }
            }
        }
    }

    fn heading(&mut self, level: usize, heading: &str, bare_style: bool) {
        let marks = "=".repeat(level);
        if bare_style && self.rng.percent(60) {
            // Scraped articles lose the marks: a short line between paragraphs.
            self.text.push_str(heading);
            self.text.push('\n');
        } else if self.has(Defect::TightHeading) && self.rng.percent(60) {
            let _ = writeln!(self.text, "{marks}{heading}{marks}\n");
        } else {
            let _ = writeln!(self.text, "{marks} {heading} {marks}");
        }
    }

    fn lead(&mut self, title: &Title, cast: &Cast) {
        let template = *self.rng.pick(LEAD_SENTENCES);
        self.fill(template, title, cast);
        let extra = self.rng.between(1, 2);
        for _ in 0..extra {
            self.text.push(' ');
            let template = *self.rng.pick(SENTENCES);
            self.fill(template, title, cast);
        }
        self.text.push_str("\n\n");
    }

    fn paragraph(&mut self, title: &Title, cast: &Cast, section: usize) {
        if self.rng.percent(12) {
            let _ = write!(self.text, "[{}] ", self.rng.between(1, 60));
        }
        let sentences = self.rng.between(3, 5);
        for sentence in 0..sentences {
            if sentence > 0 {
                if self.has(Defect::JoinedSentences) && section == 1 && sentence == 1 {
                    // "Mitrovica.Meanwhile": the space lost between two sentences.
                } else {
                    self.text.push(' ');
                }
            }
            if self.has(Defect::CitationNeeded) && section == 0 && sentence == 2 {
                self.text.push_str("[citation needed] ");
            }
            let template = *self.rng.pick(SENTENCES);
            self.fill(template, title, cast);
        }
        self.text.push_str("\n\n");
    }

    fn fill(&mut self, template: &str, title: &Title, cast: &Cast) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            self.text.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("templates close their braces");
            let placeholder = &rest[open + 1..close];
            rest = &rest[close + 1..];
            let own = self.rng.percent(70);
            match placeholder {
                "P" => {
                    let person = if own {
                        let side = self.rng.below(2);
                        self.rng.pick(&cast.side_commanders[side]).clone()
                    } else {
                        self.person()
                    };
                    self.name(NameKind::Person, &person);
                }
                "U" => {
                    let unit = if own {
                        let side = self.rng.below(2);
                        self.rng.pick(&cast.side_units[side]).clone()
                    } else {
                        self.unit()
                    };
                    self.name(NameKind::Unit, &unit);
                }
                "B" => {
                    let belligerent = if own {
                        let side = self.rng.below(2);
                        self.rng.pick(&cast.side_belligerents[side]).clone()
                    } else {
                        self.belligerent()
                    };
                    self.name(NameKind::Belligerent, &belligerent);
                }
                "L" => {
                    let place = if own { self.rng.pick(&cast.places).clone() } else { self.place() };
                    self.name(NameKind::Place, &place);
                }
                "C" => self.name(NameKind::Conflict, &cast.conflict.clone()),
                "A" => {
                    let other = self.other_article();
                    let name = self.titles[other].base.clone();
                    self.name(NameKind::Article, &name);
                }
                "T" => self.name(NameKind::Article, &title.base.clone()),
                "D" => {
                    let day = self.rng.between(1, 28);
                    let _ = write!(self.text, "{day} {}", MONTHS[self.rng.below(12)]);
                }
                "M" => self.text.push_str(MONTHS[self.rng.below(12)]),
                "N" => {
                    let number = thousands(self.rng.between(2, 400) * 100);
                    self.text.push_str(&number);
                }
                "Y" => {
                    let _ = write!(self.text, "{}", title.year);
                }
                other => panic!("unknown placeholder {{{other}}}"),
            }
        }
        self.text.push_str(rest);
    }

    fn see_also(&mut self, bare_style: bool) {
        // Marked even in scraped articles: a bare `See also` line does not start a list.
        let _ = bare_style;
        self.heading(2, "See also", false);
        let items = self.rng.between(2, 5);
        let mut written: Vec<String> = Vec::new();
        for _ in 0..items {
            let name = if self.rng.percent(18) {
                // An article the corpus does not have: an unresolved link.
                let place = self.place();
                let mut missing = format!("{place} campaign ({})", year(self.rng));
                while self.title_set.contains(missing.as_str()) {
                    missing.push_str(" (2)");
                }
                missing
            } else {
                let other = self.other_article();
                self.titles[other].full.clone()
            };
            if written.contains(&name) {
                continue;
            }
            self.text.push_str("- ");
            self.name(NameKind::Article, &name);
            self.text.push('\n');
            written.push(name);
        }
    }
}

/// `Midhat Frashëri` → `Midhat Frasheri`-like: one letter of the last word changed, as a
/// scrape or a transliteration would.
fn near_spelling(name: &str) -> String {
    let last_space = name.rfind(' ').map_or(0, |i| i + 1);
    let (head, last) = name.split_at(last_space);
    let mut chars: Vec<char> = last.chars().collect();
    if chars.len() >= 5 {
        let at = chars.len() - 2;
        chars[at] = match chars[at] {
            'a' => 'e',
            'e' => 'a',
            'i' => 'y',
            'o' => 'u',
            'ë' => 'e',
            'ć' | 'č' => 'c',
            other if other.is_lowercase() => 'i',
            other => other,
        };
    }
    format!("{head}{}", chars.into_iter().collect::<String>())
}

// ---------------------------------------------------------------------------------------------
// Self-checks, run at the start of every benchmark run and by `-- --check`.

/// Checks the generator's promises on a sample of `count` articles; returns what it checked,
/// or why it failed.
pub(crate) fn self_check(count: usize) -> Result<Vec<String>, String> {
    let mut report = Vec::new();
    let first = generate(DEFAULT_SEED, count);
    let again = generate(DEFAULT_SEED, count);
    if first.content_hash() != again.content_hash()
        || first.articles.iter().zip(&again.articles).any(|(a, b)| a.text != b.text || a.file_name != b.file_name)
    {
        return Err("the same seed gave different output".into());
    }
    report.push(format!("same seed, same bytes (hash {:016x})", first.content_hash()));
    let other = generate(DEFAULT_SEED ^ 1, count.min(50));
    if other.articles.iter().zip(&first.articles).all(|(a, b)| a.text == b.text) {
        return Err("a different seed gave the same output".into());
    }
    report.push("a different seed, different text".into());

    let mut names: HashSet<&str> = HashSet::new();
    for article in &first.articles {
        if !names.insert(article.file_name.as_str()) {
            return Err(format!("two articles share the file name {}", article.file_name));
        }
        for written in &article.names {
            let slice = article.text.get(written.start..written.end);
            if slice.is_none_or(|slice| slice.trim() != slice || slice.is_empty()) {
                return Err(format!("{}: a recorded name range is off: {written:?}", article.file_name));
            }
        }
        if article.text.contains('\r') || article.text.contains('\t') {
            return Err(format!("{}: unexpected control characters", article.file_name));
        }
    }
    report.push(format!("{count} unique file names; every recorded name range holds a name"));

    let average = first.total_bytes() / count;
    if !(4_500..=7_000).contains(&average) {
        return Err(format!("average article size {average} bytes, want 4.5–7 KB like the samples"));
    }
    report.push(format!("average article size {average} bytes"));

    let defective = first.articles.iter().filter(|article| !article.defects.is_empty()).count();
    let share = defective * 100 / count;
    if !(6..=15).contains(&share) {
        return Err(format!("{share}% of articles have defects, want about 10%"));
    }
    for defect in ALL_DEFECTS {
        if !first.articles.iter().any(|article| article.defects.contains(&defect)) {
            return Err(format!("no article has the defect {defect:?}"));
        }
    }
    report.push(format!("{share}% of articles have defects, every kind present"));

    let bare = first.articles.iter().filter(|article| !article.text.starts_with("= ")).count();
    let with_infobox = first.articles.iter().filter(|article| article.has_infobox).count();
    if bare * 100 / count < 15 || with_infobox * 100 / count < 70 {
        return Err(format!("{bare} bare titles and {with_infobox} infoboxes in {count} articles"));
    }
    report.push(format!("{bare} bare titles, {with_infobox} infoboxes"));

    let common = first.common_person();
    let mentioning = first.articles.iter().filter(|article| article.text.contains(common)).count();
    if mentioning * 100 / count < 5 {
        return Err(format!("the common person {common} is in only {mentioning} of {count} articles"));
    }
    let listing = first
        .articles
        .iter()
        .filter(|article| {
            article.names.iter().any(|name| {
                name.kind == NameKind::Person && name.in_infobox && &article.text[name.start..name.end] == common
            })
        })
        .count();
    if !(22..=38).contains(&(listing * 100 / count)) {
        return Err(format!("the common person {common} is listed in {listing} of {count} articles, want about 30 %"));
    }
    report.push(format!("common person `{common}` in {mentioning} of {count} articles, listed in {listing}"));

    let non_ascii = first.articles.iter().filter(|article| !article.text.is_ascii()).count();
    if non_ascii * 100 / count < 80 {
        return Err(format!("only {non_ascii} of {count} articles have non-ASCII letters"));
    }
    report.push(format!("{non_ascii} articles with non-ASCII letters"));

    check_with_the_parser(&first, &mut report)?;

    for (value, want) in [(1_000, "1,000"), (40_000, "40,000"), (700_000, "700,000"), (500, "500")] {
        if thousands(value) != want {
            return Err(format!("thousands({value}) = {}", thousands(value)));
        }
    }
    if near_spelling("Midhat Frashëri") == "Midhat Frashëri" || slug("Niš operation (1944)") != "ni-operation-1944" {
        return Err("near_spelling or slug misbehaves".into());
    }
    Ok(report)
}

/// The articles read as the samples do: the parser finds the title the generator wrote, the
/// infobox yields listings and a readable Date, See-also items come out as links.
fn check_with_the_parser(corpus: &Corpus, report: &mut Vec<String>) -> Result<(), String> {
    use seedls::index::facts::compute_facts;
    use seedls::syntax::parse;
    let mut dates_read = 0;
    let mut infoboxes = 0;
    let mut links = 0;
    for article in &corpus.articles {
        let document = parse(&article.text);
        let facts = compute_facts(&article.text, &document);
        let title = facts.title.as_ref().map(|(title, _)| title.as_str());
        if title != Some(article.title.as_str()) {
            return Err(format!("{}: the parser reads the title as {title:?}", article.file_name));
        }
        if article.has_infobox {
            infoboxes += 1;
            if facts.listings.len() < 4 {
                return Err(format!("{}: only {} infobox listings", article.file_name, facts.listings.len()));
            }
            if facts.date.as_ref().is_some_and(|(_, range)| range.is_some()) {
                dates_read += 1;
            }
        }
        if facts.see_also.is_empty() {
            return Err(format!("{}: no See-also links found", article.file_name));
        }
        links += facts.see_also.len();
    }
    if dates_read * 100 < infoboxes * 95 {
        return Err(format!("only {dates_read} of {infoboxes} Date values read as dates"));
    }
    report.push(format!(
        "parser agrees: titles, {infoboxes} infoboxes with listings, {dates_read} dates read, {links} See-also links"
    ));
    Ok(())
}

/// Writes the corpus into `folder` unless the folder's stamp says it holds exactly this
/// corpus already (the benchmarks share `<target>/bench-corpus-<N>/`). Returns whether it
/// wrote. The stamp is a dot file: the server's walk skips hidden files, so it is not indexed.
#[allow(dead_code)] // Each bench target includes this file and uses a part of it.
pub(crate) fn write_to(corpus: &Corpus, folder: &std::path::Path) -> std::io::Result<bool> {
    let stamp = format!("{} hash {:016x}\n", stamp_without_hash(corpus.articles.len()), corpus.content_hash());
    let stamp_path = folder.join(".generator-stamp");
    if std::fs::read_to_string(&stamp_path).is_ok_and(|on_disk| on_disk == stamp) {
        return Ok(false);
    }
    if folder.exists() {
        std::fs::remove_dir_all(folder)?;
    }
    std::fs::create_dir_all(folder)?;
    for article in &corpus.articles {
        std::fs::write(folder.join(&article.file_name), &article.text)?;
    }
    std::fs::write(&stamp_path, stamp)?;
    Ok(true)
}

/// Reads every file of `folder` once and returns the bytes read: a reused corpus is put in the
/// operating system's file cache before it is timed, as a corpus just written is (a 100k cold
/// start that read its 593 MB from disk took 31 s instead of 6).
#[allow(dead_code)] // Each bench target includes this file and uses a part of it.
pub(crate) fn read_through(folder: &std::path::Path) -> std::io::Result<u64> {
    let mut bytes = 0;
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_file() {
            bytes += std::fs::read(&path)?.len() as u64;
        }
    }
    Ok(bytes)
}

/// Where the benchmarks keep the corpus of `count` articles: `<target>/bench-corpus-<count>/`.
#[allow(dead_code)] // Each bench target includes this file and uses a part of it.
pub(crate) fn folder_under(target_dir: &std::path::Path, count: usize) -> std::path::PathBuf {
    target_dir.join(format!("bench-corpus-{count}"))
}

/// The stamp [`write_to`] leaves, up to the content's hash (which needs the corpus generated).
fn stamp_without_hash(count: usize) -> String {
    format!("seedls bench corpus: generator v{GENERATOR_VERSION} seed {DEFAULT_SEED:016x} articles {count}")
}

/// Whether `folder`'s stamp says it holds the corpus of `count` articles of this generator
/// version and seed (without generating it to compare the content's hash).
#[allow(dead_code)] // Each bench target includes this file and uses a part of it.
pub(crate) fn stamped_by_this_generator(folder: &std::path::Path, count: usize) -> bool {
    std::fs::read_to_string(folder.join(".generator-stamp")).is_ok_and(|stamp| {
        stamp.strip_prefix(&stamp_without_hash(count)).is_some_and(|rest| rest.starts_with(" hash "))
    })
}
