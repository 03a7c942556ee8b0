//! Crontab lines (deviation `crontab-standard`): what the line means in crontab.
//!
//! * 5 fields `minute hour day month day_of_week`, or 6 with a leading `second`; fields are
//!   split on any whitespace. Macros: `@yearly` (`@annually`), `@monthly`, `@weekly`,
//!   `@daily` (`@midnight`), `@hourly`.
//! * `day_of_week`: 0 and 7 = Sunday, 1 = Monday … 6 = Saturday, names as usual; ranges and
//!   steps count in that numbering (`1-5` = mon–fri, `*/2` = sun, tue, thu, sat).
//!   `d#n` / `MON#2` is the n-th weekday d of the month, `dL` / `FRIL` the last one.
//! * `day`: APScheduler's day expressions plus `L` (last day of the month); `?` means `*` in
//!   both day fields; `W` (nearest weekday) is refused.
//! * When both day fields are restricted (neither `*` nor `?`) a day matches if **either**
//!   matches, otherwise both must.
//!
//! The minute, hour, month and second fields use the cron trigger's grammar.

use super::field::{parse_expr, parse_field, value_bits, Expr, Field, DAY, HOUR, MINUTE, MONTH, SECOND, WEEKDAYS};
use super::matcher::{DaySpecials, Parts, Schedule};
use super::CronFields;
use crate::error::{Error, Result};
use crate::message_text::quoted;

/// A parsed crontab line.
pub(crate) struct ParsedCrontab {
    /// The tokens, as written, under their cron field names.
    pub fields: CronFields,
    /// The schedule that fires on the line's times (OR of the day fields where it applies).
    pub schedule: Schedule,
    /// Equivalent APScheduler cron triggers (one, or the terms of an OR), for the gap
    /// emulation.
    pub emulation: Vec<Schedule>,
    /// `str()`.
    pub display: String,
}

/// Crontab weekday names, Sunday = 0.
const CRONTAB_DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Expands a macro (`@daily`, …) to its five fields.
fn expand_macro(expr: &str) -> Result<Option<&'static str>> {
    let t = expr.trim();
    if !t.starts_with('@') {
        return Ok(None);
    }
    let line = match t.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => return Err(Error::invalid("expr", expr, "unknown macro (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)")),
    };
    Ok(Some(line))
}

/// One day-of-week field in crontab numbering.
struct DowField {
    /// Plain weekdays, bit 0 = Monday.
    bits: u8,
    /// `d#n` and `dL` items.
    special: DaySpecials,
}

/// A crontab weekday token (number 0–7 or name) as APScheduler's weekday (0 = Monday),
/// plus its crontab number (Sunday = 0 or 7).
fn crontab_day(t: &str) -> std::result::Result<u32, String> {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = t.parse().map_err(|_| format!("the value {t} is out of range"))?;
        if n > 7 {
            return Err(format!("the value ({n}) is higher than the maximum value (7)"));
        }
        return Ok(n);
    }
    CRONTAB_DAYS
        .iter()
        .position(|d| *d == t)
        .map(|p| p as u32)
        .ok_or_else(|| format!("invalid weekday name {}", quoted(t)))
}

/// Crontab number (0–7) to APScheduler weekday bit index (0 = Monday).
fn to_weekday(n: u32) -> u32 {
    (n + 6) % 7
}

fn parse_dow_item(item: &str, out: &mut DowField) -> std::result::Result<(), String> {
    let s = item.to_ascii_lowercase();
    let s = s.as_str();
    if s == "*" || s == "?" {
        out.bits = 0x7F;
        return Ok(());
    }
    if let Some((day, n)) = s.split_once('#') {
        let wd = to_weekday(crontab_day(day)?);
        let n: u32 = match n {
            "1" | "2" | "3" | "4" | "5" => n.parse().unwrap_or(1),
            _ => return Err(format!("the occurrence after '#' must be 1-5, not {}", quoted(n))),
        };
        out.special.nth[wd as usize] |= 1 << (n - 1);
        return Ok(());
    }
    if let Some(day) = s.strip_suffix('l').filter(|d| !d.is_empty() && !s.contains('-') && !s.contains('/')) {
        let wd = to_weekday(crontab_day(day)?);
        out.special.nth[wd as usize] |= 32;
        return Ok(());
    }
    let (body, step) = match s.split_once('/') {
        Some((b, st)) => {
            if st.is_empty() || !st.bytes().all(|b| b.is_ascii_digit()) {
                return Err("unrecognized expression".to_string());
            }
            (b, Some(st.parse::<u32>().unwrap_or(u32::MAX)))
        }
        None => (s, None),
    };
    if step == Some(0) {
        return Err("the step must be higher than 0".to_string());
    }
    let (first, last) = if body == "*" {
        (0, 6)
    } else {
        match body.split_once('-') {
            Some((a, b)) => {
                let a = crontab_day(a)?;
                let mut l = crontab_day(b)?;
                if l == 0 && a > 0 {
                    l = 7; // `fri-sun`: Sunday at the end of a range is 7
                }
                (a, l)
            }
            None => {
                let a = crontab_day(body)?;
                (a, if step.is_some() { a.max(6) } else { a })
            }
        }
    };
    if first > last {
        return Err("the minimum value in a range must not be higher than the maximum".to_string());
    }
    if let Some(st) = step {
        let span = last - first;
        if st > span {
            return Err(format!("the step value ({st}) is higher than the total range of the expression ({span})"));
        }
    }
    let mut v = first;
    while v <= last {
        out.bits |= 1 << to_weekday(v);
        v += step.unwrap_or(1);
    }
    Ok(())
}

fn parse_dow(token: &str) -> Result<DowField> {
    let mut out = DowField { bits: 0, special: DaySpecials::default() };
    for item in token.split(',') {
        parse_dow_item(item, &mut out).map_err(|r| Error::invalid("day_of_week", item, r))?;
    }
    Ok(out)
}

/// The day field: APScheduler's grammar plus `L` and `?`; the printed form per item.
fn parse_dom(token: &str) -> Result<(u32, DaySpecials, String)> {
    let mut bits = 0u32;
    let mut special = DaySpecials::default();
    let mut shown = Vec::new();
    for item in token.split(',') {
        let lower = item.to_ascii_lowercase();
        let expr = match lower.as_str() {
            "?" => Expr::All { step: None },
            "l" => Expr::LastDay,
            s if s.contains('w') => {
                return Err(Error::invalid("day", item, "'W' (nearest weekday) is not supported"));
            }
            s => parse_expr(DAY, s).map_err(|r| Error::invalid("day", item, r))?,
        };
        match expr {
            Expr::LastDay => special.last_day = true,
            Expr::Nth { nth, weekday } => special.nth[weekday as usize] |= 1 << (nth - 1),
            ref e => bits |= value_bits(DAY, std::slice::from_ref(e)) as u32,
        }
        shown.push(if lower == "?" || lower == "l" { item.to_string() } else { expr.to_string() });
    }
    Ok((bits, special, crate::message_text::joined(&shown, ",")))
}

/// Parses a crontab line.
pub(crate) fn parse(expr: &str) -> Result<ParsedCrontab> {
    let line = expand_macro(expr)?.unwrap_or(expr);
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let (second, rest) = match tokens.len() {
        5 => (None, &tokens[..]),
        6 => (Some(tokens[0]), &tokens[1..]),
        n => return Err(Error::invalid("expr", expr, format!("wrong number of fields; got {n}, expected 5 (or 6 with seconds)"))),
    };
    let (minute_t, hour_t, day_t, month_t, dow_t) = (rest[0], rest[1], rest[2], rest[3], rest[4]);
    let second_f = match second {
        Some(s) => parse_field(SECOND, s, true)?,
        None => parse_field(SECOND, "0", false)?,
    };
    let minute_f = parse_field(MINUTE, minute_t, true)?;
    let hour_f = parse_field(HOUR, hour_t, true)?;
    let month_f = parse_field(MONTH, month_t, true)?;
    let (dom_bits, dom_special, dom_shown) = parse_dom(day_t)?;
    let dow = parse_dow(dow_t)?;
    let star = |t: &str| t == "*" || t == "?";
    let (dom_restricted, dow_restricted) = (!star(day_t), !star(dow_t));

    let base = |dom: u32, dom_special: DaySpecials, dow_bits: u8, dow_special: DaySpecials, or_days: bool| {
        Schedule::new(Parts {
            years: vec![Expr::All { step: None }],
            months: value_bits(MONTH, &month_f.exprs) as u16,
            dom,
            dom_special,
            week: value_bits(super::field::WEEK, &[Expr::All { step: None }]),
            dow: dow_bits,
            dow_special,
            or_days,
            hours: value_bits(HOUR, &hour_f.exprs) as u32,
            minutes: value_bits(MINUTE, &minute_f.exprs),
            seconds: value_bits(SECOND, &second_f.exprs),
        })
    };
    let all_days = value_bits(DAY, &[Expr::All { step: None }]) as u32;
    let none = DaySpecials::default();
    let schedule = base(dom_bits, dom_special, dow.bits, dow.special, dom_restricted && dow_restricted);

    // Equivalent APScheduler triggers: (day=<dom>, day_of_week='*'), (day='*',
    // day_of_week=<plain weekdays>), (day=<n-th weekdays>, day_of_week='*').
    let mut emulation = Vec::new();
    let mut terms: Vec<(String, String)> = Vec::new();
    if !dow_restricted || dom_restricted {
        emulation.push(base(dom_bits, dom_special, 0x7F, none, false));
        terms.push((dom_shown.clone(), "*".to_string()));
    }
    if dow_restricted {
        if dow.bits != 0 {
            emulation.push(base(all_days, none, dow.bits, none, false));
            let names: Vec<&str> = (0..7).filter(|w| dow.bits & (1 << w) != 0).map(|w| WEEKDAYS[w]).collect();
            terms.push(("*".to_string(), crate::message_text::joined(&names, ",")));
        }
        if !dow.special.is_empty() {
            emulation.push(base(0, dow.special, 0x7F, none, false));
            let mut items = Vec::new();
            for (w, &bits) in dow.special.nth.iter().enumerate() {
                for k in 0..6u8 {
                    if bits & (1 << k) != 0 {
                        items.push(Expr::Nth { nth: k + 1, weekday: w as u8 }.to_string());
                    }
                }
            }
            terms.push((crate::message_text::joined(&items, ","), "*".to_string()));
        }
    }

    let show = |f: &Field| f.to_string();
    let cron_str = |day: &str, dow: &str| -> String {
        let mut parts = vec![
            format!("month='{}'", show(&month_f)),
            format!("day='{day}'"),
            format!("day_of_week='{dow}'"),
            format!("hour='{}'", show(&hour_f)),
            format!("minute='{}'", show(&minute_f)),
        ];
        if second_f.given {
            parts.push(format!("second='{}'", show(&second_f)));
        }
        format!("cron[{}]", crate::message_text::joined(&parts, ", "))
    };
    let display = if terms.len() == 1 && !(dow_restricted && dom_restricted) {
        cron_str(&dom_shown, dow_t)
    } else {
        let children: Vec<String> = terms.iter().map(|(d, w)| cron_str(d, w)).collect();
        format!("or[{}]", crate::message_text::joined(&children, ", "))
    };

    let fields = CronFields {
        year: None,
        month: Some(month_t.to_string()),
        day: Some(day_t.to_string()),
        week: None,
        day_of_week: Some(dow_t.to_string()),
        hour: Some(hour_t.to_string()),
        minute: Some(minute_t.to_string()),
        second: second.map(str::to_string),
    };
    Ok(ParsedCrontab { fields, schedule, emulation, display })
}
