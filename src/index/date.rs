//! Reading an infobox `Date` value as a calendar range.
//!
//! Accepts what the articles write: `15 October – 22 November 1944`, `10–11 July 1998`,
//! `mid-June – 29 November 1944`, `October and November 1912`, `July 1998 – January 1999`,
//! `June 22, 1941`, `1912–1913`, `1944 – present`, with `c.`, `early`, `mid`, `late`; also
//! seasons (`Spring 1944`: March to May, approximate) and ISO days (`1944-10-15`).
//! A side missing its month or year takes it from the other side. Parenthesised remarks and
//! citation markers are ignored.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// A date range read from a `Date` value. A single date is a range of one day (or of the month
/// or year it names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateRange {
    pub start: Day,
    /// `None` for an open range (`1944 – present`).
    pub end: Option<Day>,
    /// `c.`, `early`, `mid`, `late`, or a side given only as a month or a year.
    pub approximate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The text is not a date the reader knows.
    Unreadable(String),
    /// Both ends read, but the end comes before the start.
    EndsBeforeStart,
    /// A day that does not exist (`31 June 1944`).
    NoSuchDay(String),
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Unreadable(why) => write!(f, "{why}"),
            DateError::EndsBeforeStart => write!(f, "the range ends before it starts"),
            DateError::NoSuchDay(day) => write!(f, "{day} is not a day of the calendar"),
        }
    }
}

impl DateRange {
    /// Days from start to end (`15 October – 22 November 1944` is 38 days); `None` when open.
    pub fn length_in_days(&self) -> Option<i64> {
        self.end.map(|end| days_from_civil(end) - days_from_civil(self.start))
    }

    /// `15 October 1944 – 22 November 1944`, the range written out in full.
    pub fn normalized(&self) -> String {
        match self.end {
            Some(end) if end == self.start => format_day(self.start),
            Some(end) => format!("{} – {}", format_day(self.start), format_day(end)),
            None => format!("{} – present", format_day(self.start)),
        }
    }
}

pub fn format_day(day: Day) -> String {
    format!("{} {} {}", day.day, MONTHS[usize::from(day.month.clamp(1, 12)) - 1], day.year)
}

/// The month names as dates write them, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(u32),
    Month(u8),
    /// A season, by its first month: spring 3, summer 6, autumn 9, winter 12.
    Season(u8),
    Qualifier,
    Separator,
    Present,
}

/// One side of a range as written: any part may be missing.
#[derive(Debug, Clone, Copy, Default)]
struct Partial {
    day: Option<u8>,
    month: Option<u8>,
    year: Option<i32>,
    approximate: bool,
    present: bool,
    /// The season's first month: the start edge takes it, the end edge its third month.
    season: Option<u8>,
}

pub fn parse_date(value: &str) -> Result<DateRange, DateError> {
    let tokens = tokenize(&strip_remarks(value))?;
    let mut sides: Vec<Vec<Token>> = vec![Vec::new()];
    for token in tokens {
        match token {
            Token::Separator => sides.push(Vec::new()),
            other => sides.last_mut().expect("sides starts non-empty").push(other),
        }
    }
    if sides.len() > 2 || sides.iter().any(Vec::is_empty) {
        return Err(DateError::Unreadable("expected a date or a range of two dates".into()));
    }
    expand_short_end_year(&mut sides);
    let start = read_side(&sides[0])?;
    let end = match sides.get(1) {
        Some(side) => read_side(side)?,
        None => start,
    };
    if start.present {
        return Err(DateError::Unreadable("a range cannot start at `present`".into()));
    }
    // The start takes what it lacks from the end: `15 October – 22 November 1944`.
    let start = Partial {
        year: start.year.or(end.year),
        month: start.month.or(if start.day.is_some() { end.month } else { None }),
        ..start
    };
    let approximate =
        start.approximate || end.approximate || start.day.is_none() || (!end.present && end.day.is_none());
    let start_day = resolve(start, Edge::Start)?;
    let end_day = if end.present { None } else { Some(resolve(end, Edge::End)?) };
    if end_day.is_some_and(|end_day| end_day < start_day) {
        return Err(DateError::EndsBeforeStart);
    }
    Ok(DateRange { start: start_day, end: end_day, approximate })
}

/// `1940–41`, `1912–13`, `Winter 1942–43`: an end of two digits after a start that ends in a
/// year is that year's last two digits (the next century's when smaller: `1999–01`). A
/// winter written over its two years (`Winter 1942–43`) is that one winter.
fn expand_short_end_year(sides: &mut Vec<Vec<Token>>) {
    let [start, end] = sides.as_mut_slice() else { return };
    let (Some(&Token::Number(year)), [Token::Number(short)]) = (start.last(), end.as_slice()) else { return };
    if !(1000..=9999).contains(&year) || *short >= 100 {
        return;
    }
    let mut full = year - year % 100 + short;
    if full < year {
        full += 100;
    }
    if start.contains(&Token::Season(12)) && full == year + 1 {
        sides.truncate(1);
    } else {
        end[0] = Token::Number(full);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Edge {
    Start,
    End,
}

fn resolve(side: Partial, edge: Edge) -> Result<Day, DateError> {
    let Some(year) = side.year else {
        return Err(DateError::Unreadable("no year".into()));
    };
    if side.day.is_some() && side.month.is_none() {
        return Err(DateError::Unreadable("a day with no month".into()));
    }
    // A season runs three months; winter's last two fall in the next year.
    let (year, month) = match (side.month, side.season) {
        (Some(month), _) => (year, month),
        (None, Some(first)) if edge == Edge::Start => (year, first),
        (None, Some(first)) => {
            let last = first + 2;
            if last > 12 { (year + 1, last - 12) } else { (year, last) }
        }
        (None, None) => (year, if edge == Edge::Start { 1 } else { 12 }),
    };
    let last = days_in_month(year, month);
    let day = side.day.unwrap_or(if edge == Edge::Start { 1 } else { last });
    if day == 0 || day > last {
        return Err(DateError::NoSuchDay(format!("{day} {}", MONTHS[usize::from(month) - 1])));
    }
    Ok(Day { year, month, day })
}

fn read_side(tokens: &[Token]) -> Result<Partial, DateError> {
    let mut side = Partial::default();
    let mut numbers_before_month = Vec::new();
    let mut numbers_after_month = Vec::new();
    for token in tokens {
        match *token {
            Token::Qualifier => side.approximate = true,
            Token::Present => side.present = true,
            Token::Month(month) if side.month.is_none() => side.month = Some(month),
            Token::Month(_) => {
                return Err(DateError::Unreadable("two months on one side of the range".into()));
            }
            Token::Season(_) if side.season.is_some() || side.month.is_some() => {
                return Err(DateError::Unreadable("a season with a month or another season".into()));
            }
            Token::Season(first) => {
                side.season = Some(first);
                side.approximate = true;
            }
            Token::Number(n) if side.month.is_none() => numbers_before_month.push(n),
            Token::Number(n) => numbers_after_month.push(n),
            Token::Separator => {}
        }
    }
    if side.present {
        return if tokens.iter().all(|t| matches!(t, Token::Present | Token::Qualifier)) {
            Ok(side)
        } else {
            Err(DateError::Unreadable("`present` mixed with a date".into()))
        };
    }
    let mut numbers = numbers_before_month.iter().chain(&numbers_after_month);
    for &n in numbers.by_ref() {
        if n >= 32 {
            if side.year.is_some() {
                return Err(DateError::Unreadable("two years on one side of the range".into()));
            }
            side.year = Some(i32::try_from(n).unwrap_or(i32::MAX));
        } else if side.day.is_none() {
            side.day = Some(u8::try_from(n).unwrap_or(u8::MAX));
        } else {
            return Err(DateError::Unreadable("too many numbers".into()));
        }
    }
    if side.season.is_some() && (side.month.is_some() || side.day.is_some()) {
        return Err(DateError::Unreadable("a season with a month or a day".into()));
    }
    if side.day.is_some() && side.month.is_none() && side.year.is_some() {
        return Err(DateError::Unreadable("a day with no month".into()));
    }
    if let Some(year) = side.year
        && !(1..=9999).contains(&year)
    {
        return Err(DateError::Unreadable(format!("{year} is not a year")));
    }
    Ok(side)
}

/// Drops `(…)` remarks and `[…]` markers.
fn strip_remarks(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    for c in value.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn tokenize(value: &str) -> Result<Vec<Token>, DateError> {
    let mut tokens = Vec::new();
    let mut chars = value.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() || c == ',' || c == '.' && tokens.last() == Some(&Token::Qualifier) {
            chars.next();
        } else if matches!(c, '–' | '—' | '−' | '‒') {
            chars.next();
            tokens.push(Token::Separator);
        } else if c == '-' {
            chars.next();
            // `mid-June`: a hyphen after a qualifier belongs to it.
            if tokens.last() != Some(&Token::Qualifier) {
                tokens.push(Token::Separator);
            }
        } else if let Some((year, month, day)) = iso_day(&value[start..]) {
            // `1944-10-15`: read as `15 October 1944`, its hyphens are not a range.
            chars.nth(9);
            tokens.extend([Token::Number(day), Token::Month(month), Token::Number(year)]);
        } else if c.is_ascii_digit() {
            let mut end = start;
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            let number =
                value[start..end].parse::<u32>().map_err(|_| DateError::Unreadable("number too long".into()))?;
            tokens.push(Token::Number(number));
        } else if c.is_alphabetic() {
            let mut end = start;
            while let Some(&(i, l)) = chars.peek() {
                if !l.is_alphabetic() {
                    break;
                }
                end = i + l.len_utf8();
                chars.next();
            }
            let word = value[start..end].to_lowercase();
            tokens.push(
                word_token(&word)
                    .ok_or_else(|| DateError::Unreadable(format!("`{}` is not part of a date", &value[start..end])))?,
            );
        } else {
            return Err(DateError::Unreadable(format!("unexpected `{c}`")));
        }
    }
    if tokens.is_empty() {
        return Err(DateError::Unreadable("no date".into()));
    }
    Ok(tokens)
}

/// `YYYY-MM-DD` at the start of `text` (and not followed by another digit).
fn iso_day(text: &str) -> Option<(u32, u8, u32)> {
    let bytes = text.as_bytes();
    let shape_fits = bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
        && !bytes.get(10).is_some_and(u8::is_ascii_digit);
    if !shape_fits {
        return None;
    }
    let year: u32 = text[..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u32 = text[8..10].parse().ok()?;
    (1..=12).contains(&month).then_some((year, month, day))
}

fn word_token(word: &str) -> Option<Token> {
    match word {
        "spring" => Some(Token::Season(3)),
        "summer" => Some(Token::Season(6)),
        "autumn" | "fall" => Some(Token::Season(9)),
        "winter" => Some(Token::Season(12)),
        "c" | "ca" | "circa" | "early" | "mid" | "late" | "around" | "about" => Some(Token::Qualifier),
        "to" | "until" | "till" | "and" | "through" => Some(Token::Separator),
        "present" | "ongoing" | "today" => Some(Token::Present),
        _ => MONTHS
            .iter()
            .position(|month| {
                let month = month.to_lowercase();
                word == month || (word.len() >= 3 && month.starts_with(word) && (word.len() == 3 || word == "sept"))
            })
            .map(|index| Token::Month(index as u8 + 1)),
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm), for differences between days.
fn days_from_civil(day: Day) -> i64 {
    let year = i64::from(day.year) - i64::from(day.month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(day.month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day.day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    #[track_caller]
    fn check(value: &str, expect: Expect) {
        let actual = match parse_date(value) {
            Ok(range) => format!(
                "{} ({} days{})",
                range.normalized(),
                range.length_in_days().map_or("open".to_string(), |d| d.to_string()),
                if range.approximate { ", approximate" } else { "" }
            ),
            Err(error) => format!("error: {error}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn seed_dates() {
        check("15 October – 22 November 1944", expect!["15 October 1944 – 22 November 1944 (38 days)"]);
        check("mid-June – 29 November 1944", expect!["1 June 1944 – 29 November 1944 (181 days, approximate)"]);
        check("October and November 1912", expect!["1 October 1912 – 30 November 1912 (60 days, approximate)"]);
    }

    #[test]
    fn other_spellings() {
        check("10–11 July 1998", expect!["10 July 1998 – 11 July 1998 (1 days)"]);
        check("10-11 July 1998", expect!["10 July 1998 – 11 July 1998 (1 days)"]);
        check("July 1998 – January 1999", expect!["1 July 1998 – 31 January 1999 (214 days, approximate)"]);
        check("June 22, 1941", expect!["22 June 1941 (0 days)"]);
        check("1912–1913", expect!["1 January 1912 – 31 December 1913 (730 days, approximate)"]);
        check("1912–13", expect!["1 January 1912 – 31 December 1913 (730 days, approximate)"]);
        check("1940–41", expect!["1 January 1940 – 31 December 1941 (730 days, approximate)"]);
        check("1999–01", expect!["1 January 1999 – 31 December 2001 (1095 days, approximate)"]);
        check("Winter 1942–43", expect!["1 December 1942 – 28 February 1943 (89 days, approximate)"]);
        check("March 1941–42", expect!["1 March 1941 – 31 December 1942 (670 days, approximate)"]);
        check("1944 – present", expect!["1 January 1944 – present (open days, approximate)"]);
        check("c. 1500", expect!["1 January 1500 – 31 December 1500 (364 days, approximate)"]);
        check("8 Sept 1943[1]", expect!["8 September 1943 (0 days)"]);
        check("29 February 1944", expect!["29 February 1944 (0 days)"]);
        check("1944-10-15", expect!["15 October 1944 (0 days)"]);
        check("1944-10-15 – 1944-11-22", expect!["15 October 1944 – 22 November 1944 (38 days)"]);
        check("Spring 1944", expect!["1 March 1944 – 31 May 1944 (91 days, approximate)"]);
        check("summer – autumn 1943", expect!["1 June 1943 – 30 November 1943 (182 days, approximate)"]);
        check("Winter 1942", expect!["1 December 1942 – 28 February 1943 (89 days, approximate)"]);
    }

    #[test]
    fn errors() {
        check("Unknown", expect!["error: `Unknown` is not part of a date"]);
        check("22 November – 15 October 1944", expect!["error: the range ends before it starts"]);
        check("31 June 1944", expect!["error: 31 June is not a day of the calendar"]);
        check("", expect!["error: no date"]);
        check("1944 – 1945 – 1946", expect!["error: expected a date or a range of two dates"]);
        check("29 February 1943", expect!["error: 29 February is not a day of the calendar"]);
        check("10–11", expect!["error: no year"]);
        check("1 – 1944", expect!["error: a day with no month"]);
        check("99999999999999999999", expect!["error: number too long"]);
        check("1944-13-01", expect!["error: expected a date or a range of two dates"]);
        check("Spring May 1944", expect!["error: a season with a month or a day"]);
    }
}
