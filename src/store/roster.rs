//! Rosters: the CSV of people `shouce user import` reads — employee id, name, team,
//! role per line, UTF-8 with or without the BOM Excel writes, CRLF or LF, an optional
//! header line, quoted fields allowed. Pure: bytes in, the accounts to create with
//! their line numbers, or every problem of the whole file (never the first only), so
//! an import is checked whole before anything is written.

use std::collections::HashMap;

use super::{NewUser, Role};

/// A problem on one line of the roster (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// An account the roster lists, and the line that lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub line: usize,
    pub user: NewUser,
}

/// What a roster lists: the good lines' accounts, and every problem, by line (bad
/// encoding, a wrong number of fields, an empty id or name, an unknown role, an
/// unclosed quote, an employee id listed twice). Import only when `problems` is empty;
/// the good lines are there so the caller can report the ids taken already in the
/// same run.
#[derive(Debug, Default)]
pub struct Roster {
    pub listed: Vec<Listed>,
    pub problems: Vec<Problem>,
}

/// Reads a roster whole (see [`Roster`]).
pub fn people(bytes: &[u8]) -> Roster {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut people: Vec<Listed> = Vec::new();
    let mut problems = Vec::new();
    let mut first_line_of: HashMap<String, usize> = HashMap::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i + 1;
        let mut problem = |message: String| problems.push(Problem { line, message });
        let Ok(text) = std::str::from_utf8(raw) else {
            problem("not UTF-8 text: save the file as \"CSV UTF-8\"".into());
            continue;
        };
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.trim().is_empty() {
            continue;
        }
        let fields = match fields(text) {
            Ok(f) => f,
            Err(e) => {
                problem(e.into());
                continue;
            }
        };
        if line == 1 && is_header(&fields) {
            continue;
        }
        match person(&fields) {
            Ok(user) => match first_line_of.get(&user.login) {
                Some(first) => problem(format!(
                    "the employee id `{}` is listed twice (first on line {first})",
                    user.login
                )),
                None => {
                    first_line_of.insert(user.login.clone(), line);
                    people.push(Listed { line, user });
                }
            },
            Err(e) => problem(e),
        }
    }
    Roster {
        listed: people,
        problems,
    }
}

fn is_header(fields: &[String]) -> bool {
    let first = fields
        .first()
        .map(|f| f.trim().to_lowercase())
        .unwrap_or_default();
    ["employee id", "employee_id", "id", "login", "工号"].contains(&first.as_str())
}

fn person(fields: &[String]) -> Result<NewUser, String> {
    let [login, name, team, role] = fields else {
        return Err(format!(
            "expected 4 fields (employee id, name, team, role), found {}",
            fields.len()
        ));
    };
    let (login, name) = (login.trim(), name.trim());
    let mut empty = Vec::new();
    if login.is_empty() {
        empty.push("employee id");
    }
    if name.is_empty() {
        empty.push("name");
    }
    let role_of = Role::parse(role);
    let mut wrong = Vec::new();
    if !empty.is_empty() {
        wrong.push(format!("the {} must not be empty", empty.join(" and the ")));
    }
    if role_of.is_none() {
        wrong.push(format!(
            "unknown role `{}`: use agent, trainer, supervisor or admin",
            role.trim()
        ));
    }
    match role_of {
        Some(role) if wrong.is_empty() => Ok(NewUser {
            login: login.to_string(),
            name: name.to_string(),
            team: team.trim().to_string(),
            role,
            password_hash: None,
        }),
        _ => Err(wrong.join("; ")),
    }
}

/// Splits one CSV line (RFC 4180 quoting; no line breaks inside fields).
fn fields(line: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => out.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed (a line break inside a cell is not allowed)");
    }
    out.push(field);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(problems: &[Problem]) -> Vec<usize> {
        problems.iter().map(|p| p.line).collect()
    }

    #[test]
    fn reads_excel_csv_with_bom_header_and_quotes() {
        let text = "\u{feff}工号,姓名,组,角色\r\nA001,张三,售后一组,agent\r\n\"A002\",\"李, 四\",\"售前\"\"二\"\"组\",Trainer\r\n";
        let roster = people(text.as_bytes());
        assert!(roster.problems.is_empty(), "{:?}", roster.problems);
        let people = roster.listed;
        assert_eq!(people.len(), 2);
        assert_eq!((people[0].line, people[0].user.login.as_str()), (2, "A001"));
        assert_eq!(people[0].user.role, Role::Agent);
        assert_eq!(people[0].user.team, "售后一组", "no \\r left at the end");
        assert_eq!(people[1].user.name, "李, 四");
        assert_eq!(people[1].user.team, "售前\"二\"组");
        assert_eq!(people[1].user.role, Role::Trainer);
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let mut bytes = b"A001,\xe5\xbc\xa0,x,boss\nA002,\xe6\x9d\x8e\xe5\x9b\x9b\n\"A003,x,y,agent\nA004,ok,t,agent\n".to_vec();
        bytes.extend_from_slice(b"A005,\xff\xfe,t,agent\r\n,,t,agent\nA004,again,t,agent\n");
        let roster = people(&bytes);
        let err = roster.problems;
        let good: Vec<usize> = roster.listed.iter().map(|l| l.line).collect();
        assert_eq!(good, [4], "the good lines are still listed");
        assert_eq!(lines(&err), [1, 2, 3, 5, 6, 7], "{err:?}");
        assert!(err[0].message.contains("unknown role `boss`"));
        assert!(err[1].message.contains("expected 4 fields"));
        assert!(err[2].message.contains("a quoted field is not closed"));
        assert!(err[3].message.contains("not UTF-8"));
        assert_eq!(
            err[4].message,
            "the employee id and the name must not be empty"
        );
        assert!(err[5].message.contains("listed twice (first on line 4)"));
        let empty = people(b"");
        assert!(empty.listed.is_empty() && empty.problems.is_empty());
    }
}
