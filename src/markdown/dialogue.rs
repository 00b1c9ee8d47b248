//! ```` ```dialogue ```` blocks: service scripts written as a conversation.
//!
//! Each non-blank line is `角色: 内容` (ASCII or full-width colon); the role names which
//! side speaks (see [`DialogueRoles`]). A line starting with `>` is a narrator's note.
//! Agent lines carry a copy button whose text is the reply alone, ready to paste into
//! the chat workbench's quick phrases.

use std::fmt::Write as _;

use crate::config::DialogueRoles;

/// Which side of the conversation a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Customer,
    Agent,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Say {
        side: Side,
        role: &'a str,
        text: &'a str,
    },
    Narration(&'a str),
}

/// A line that is not `role: text`; `offset` is its byte offset in the block.
#[derive(Debug, PartialEq, Eq)]
pub struct LineError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub hint: String,
}

/// Parses a block's text. Returns every malformed line, not just the first.
pub fn parse<'a>(text: &'a str, roles: &DialogueRoles) -> Result<Vec<Line<'a>>, Vec<LineError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lead = raw.len() - raw.trim_start().len();
        if let Some(note) = trimmed.strip_prefix('>') {
            lines.push(Line::Narration(note.trim()));
            continue;
        }
        match parse_say(trimmed, roles) {
            Ok(line) => lines.push(line),
            Err((message, hint)) => errors.push(LineError {
                offset: line_offset + lead,
                len: trimmed.len(),
                message,
                hint,
            }),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

fn parse_say<'a>(line: &'a str, roles: &DialogueRoles) -> Result<Line<'a>, (String, String)> {
    let all_roles = || {
        roles
            .customer
            .iter()
            .chain(&roles.agent)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("、")
    };
    let Some((role, text)) = line.split_once([':', '：']) else {
        return Err((
            "a dialogue line needs a speaker".into(),
            format!(
                "write `客户: …` or `客服: …`; known speakers: {}",
                all_roles()
            ),
        ));
    };
    let role = role.trim();
    let side = if roles.customer.iter().any(|r| r == role) {
        Side::Customer
    } else if roles.agent.iter().any(|r| r == role) {
        Side::Agent
    } else {
        return Err((
            format!("unknown speaker `{role}` in a dialogue"),
            format!(
                "known speakers: {}; add more under [dialogue] in shouce.toml",
                all_roles()
            ),
        ));
    };
    Ok(Line::Say {
        side,
        role,
        text: text.trim(),
    })
}

/// Renders parsed lines as a chat transcript.
pub fn render(lines: &[Line<'_>]) -> String {
    let mut html =
        String::from("<div class=\"dialogue\" role=\"group\" aria-label=\"对话示例\">\n");
    for line in lines {
        match line {
            Line::Narration(note) => {
                let _ = writeln!(html, "<p class=\"narration\">{}</p>", escape(note));
            }
            Line::Say { side, role, text } => {
                let class = match side {
                    Side::Customer => "msg-customer",
                    Side::Agent => "msg-agent",
                };
                let text = escape(text);
                let _ = write!(
                    html,
                    "<div class=\"msg {class}\"><span class=\"who\">{}</span><div class=\"bubble\">{text}</div>",
                    escape(role)
                );
                if *side == Side::Agent {
                    let _ = write!(
                        html,
                        "<button type=\"button\" class=\"copy-line\" data-copy=\"{text}\" aria-label=\"复制这句话术\">复制</button>"
                    );
                }
                html.push_str("</div>\n");
            }
        }
    }
    html.push_str("</div>\n");
    html
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_sides_colons_and_narration() {
        let roles = DialogueRoles::default();
        let lines = parse("客户：在吗？\n\n> 买家发来截图\n客服: 亲，在的！\n", &roles).unwrap();
        assert_eq!(
            lines,
            vec![
                Line::Say {
                    side: Side::Customer,
                    role: "客户",
                    text: "在吗？"
                },
                Line::Narration("买家发来截图"),
                Line::Say {
                    side: Side::Agent,
                    role: "客服",
                    text: "亲，在的！"
                },
            ]
        );
    }

    #[test]
    fn reports_every_bad_line_with_its_offset() {
        let roles = DialogueRoles::default();
        let errs = parse("客户: 在吗\n老板: 在\n没有冒号\n", &roles).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].offset, "客户: 在吗\n".len());
        assert!(errs[0].message.contains("老板"));
        assert!(errs[1].message.contains("speaker"));
    }

    #[test]
    fn agent_lines_get_an_escaped_copy_button() {
        let roles = DialogueRoles::default();
        let html = render(&parse("客服: 亲 <b>包邮</b> \"哦\"", &roles).unwrap());
        assert!(
            html.contains("data-copy=\"亲 &lt;b&gt;包邮&lt;/b&gt; &quot;哦&quot;\""),
            "{html}"
        );
        assert!(!html.contains("<b>"));
    }
}
