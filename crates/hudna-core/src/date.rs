//! Calendar days and half-open validity intervals.

use crate::CoreError;
use chrono::{Datelike, NaiveDate};

/// Parses a day written `YYYY-MM-DD` (ASCII, Arabic-Indic or Persian digits).
/// Words such as «أمس» are refused: relative dates belong to extraction, which
/// knows the publication date.
pub fn parse_day(s: &str) -> Result<NaiveDate, CoreError> {
    let ascii: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            _ => c,
        })
        .collect();
    let err = |why: String| CoreError::InvalidDate {
        value: s.to_owned(),
        why,
    };
    let parts: Vec<&str> = ascii.split('-').collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || parts[1].len() != 2
        || parts[2].len() != 2
        || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err(
            "expected a day written YYYY-MM-DD, e.g. 2017-05-04".into()
        ));
    }
    let (y, m, d) = (
        parts[0].parse::<i32>().unwrap_or(0),
        parts[1].parse::<u32>().unwrap_or(0),
        parts[2].parse::<u32>().unwrap_or(0),
    );
    if !(1..=12).contains(&m) {
        return Err(err(format!("month {m} is not between 01 and 12")));
    }
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| err(format!("day {d} does not exist in {y}-{m:02}")))
}

/// Days since 1970-01-01 (what the geo engine counts in).
pub fn day_number(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// Adds calendar months, clamping the day to the month's end (31 Aug + 6 months = 28/29 Feb).
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months as i32;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let mut day = d.day();
    loop {
        if let Some(x) = NaiveDate::from_ymd_opt(y, m0 + 1, day) {
            return x;
        }
        day -= 1;
    }
}

/// A half-open interval of days `[from, to)`; `to = None` means open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Interval {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Interval {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Self, CoreError> {
        if let Some(t) = to {
            if t <= from {
                return Err(CoreError::InvalidDate {
                    value: t.to_string(),
                    why: format!("valid_to must be after valid_from ({from})"),
                });
            }
        }
        Ok(Self { from, to })
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.from && self.to.is_none_or(|t| d < t)
    }
    pub fn overlaps(&self, other: &Interval) -> bool {
        let a_before_b = self.to.is_some_and(|t| t <= other.from);
        let b_before_a = other.to.is_some_and(|t| t <= self.from);
        !(a_before_b || b_before_a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }

    #[test]
    fn parse_day_explains_what_is_wrong() {
        assert_eq!(
            d("2017-05-04"),
            NaiveDate::from_ymd_opt(2017, 5, 4).unwrap()
        );
        assert_eq!(d("٢٠١٧-٠٥-٠٤"), d("2017-05-04"));
        let e = parse_day("2017-13-01").unwrap_err().to_string();
        assert!(e.contains("month 13"), "{e}");
        let e = parse_day("أمس").unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        assert!(parse_day("2017-02-29").is_err());
        assert!(parse_day("2017-5-4").is_err());
    }

    #[test]
    fn months_add_like_a_calendar() {
        assert_eq!(add_months(d("2017-05-04"), 6), d("2017-11-04"));
        assert_eq!(add_months(d("2017-08-31"), 6), d("2018-02-28"));
        assert_eq!(add_months(d("2017-11-04"), 6), d("2018-05-04"));
    }

    #[test]
    fn intervals_are_half_open() {
        let a = Interval::new(d("2017-05-04"), Some(d("2018-04-14"))).unwrap();
        let b = Interval::new(d("2018-04-14"), None).unwrap();
        assert!(a.contains(d("2018-04-13")));
        assert!(!a.contains(d("2018-04-14")));
        assert!(b.contains(d("2018-04-14")));
        assert!(!a.overlaps(&b));
        let c = Interval::new(d("2018-01-01"), Some(d("2018-05-01"))).unwrap();
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert!(Interval::new(d("2018-01-01"), Some(d("2018-01-01"))).is_err());
        assert_eq!(day_number(d("1970-01-02")), 1);
    }
}
