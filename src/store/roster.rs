//! Rosters: the CSV of people `shouce user import` reads — employee id, name, team,
//! role per line, UTF-8 with or without the BOM Excel writes, an optional header
//! line, quoted fields allowed. Pure: text in, accounts to create (or every bad line).

use super::{NewUser, Role};

/// The accounts a roster lists, or each bad line as `line N: why`.
pub fn people(text: &str) -> Result<Vec<NewUser>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut people = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields = match fields(line) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("line {n}: {e}"));
                continue;
            }
        };
        if n == 1 && is_header(&fields) {
            continue;
        }
        match person(&fields) {
            Ok(p) => people.push(p),
            Err(e) => problems.push(format!("line {n}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(people)
    } else {
        Err(problems.join("\n"))
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
    if login.is_empty() || name.is_empty() {
        return Err("the employee id and the name must not be empty".into());
    }
    let role = Role::parse(role).ok_or_else(|| {
        format!(
            "unknown role `{}`: use agent, trainer, supervisor or admin",
            role.trim()
        )
    })?;
    Ok(NewUser {
        login: login.to_string(),
        name: name.to_string(),
        team: team.trim().to_string(),
        role,
        password_hash: None,
    })
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
        return Err("a quoted field is not closed");
    }
    out.push(field);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_excel_csv_with_bom_header_and_quotes() {
        let text = "\u{feff}工号,姓名,组,角色\r\nA001,张三,售后一组,agent\r\n\"A002\",\"李, 四\",\"售前\"\"二\"\"组\",Trainer\r\n";
        let people = people(text).unwrap();
        assert_eq!(people.len(), 2);
        assert_eq!(people[0].login, "A001");
        assert_eq!(people[0].role, Role::Agent);
        assert_eq!(people[1].name, "李, 四");
        assert_eq!(people[1].team, "售前\"二\"组");
        assert_eq!(people[1].role, Role::Trainer);
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let err = people("A001,张三,一组,boss\nA002,李四\n\"A003,x,y,agent\n").unwrap_err();
        assert!(err.contains("line 1: unknown role `boss`"), "{err}");
        assert!(err.contains("line 2: expected 4 fields"), "{err}");
        assert!(
            err.contains("line 3: a quoted field is not closed"),
            "{err}"
        );
        assert_eq!(people("").unwrap().len(), 0);
    }
}
