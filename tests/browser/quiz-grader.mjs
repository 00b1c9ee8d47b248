// Parity of the browser grader with the Rust one: runs `grade()` from
// themes/default/static/quiz.js over every case in tests/quiz/grade_cases.json (exported
// by the Rust table tests, with the Rust grader's result) and compares points, full
// marks and feedback exactly. Run by tests/quiz_parity.rs; needs only Node.
// Usage: node quiz-grader.mjs [cases.json] [quiz.js]
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const casesFile = process.argv[2] || path.join(repo, "tests/quiz/grade_cases.json");
const graderFile = process.argv[3] || path.join(repo, "themes/default/static/quiz.js");

const grader = createRequire(import.meta.url)(graderFile);
const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
if (!Array.isArray(cases) || cases.length === 0) {
  console.error(`no cases in ${casesFile}`);
  process.exit(2);
}

const failures = [];
const types = new Set();
for (const c of cases) {
  types.add(c.question.type);
  let got;
  try {
    got = grader.grade(c.question, c.answer);
  } catch (e) {
    failures.push(`${c.name}: threw ${e && e.stack ? e.stack : e}`);
    continue;
  }
  const want = c.expected;
  const same =
    got.points_awarded === want.points_awarded &&
    got.max_points === want.max_points &&
    got.correct === want.correct &&
    JSON.stringify(got.feedback) === JSON.stringify(want.feedback) &&
    Array.isArray(got.feedback_html) &&
    got.feedback_html.length === got.feedback.length;
  if (!same) {
    const show = (g) => JSON.stringify({ points_awarded: g.points_awarded, max_points: g.max_points, correct: g.correct, feedback: g.feedback });
    failures.push(`${c.name}\n    answer: ${JSON.stringify(c.answer)}\n    rust:   ${show(want)}\n    js:     ${show(got)}`);
  }
}

// Never throws, whatever the page or a corrupt localStorage hands it.
const junk = [undefined, null, 0, "x", [], {}, { choice: -1 }, { choice: 1.5 }, { text: 5 }, { choices: "0" },
  { matches: [0, "1"] }, { order: [0, null] }, { choice: 0, text: "" }];
const questions = cases.map((c) => c.question).concat([undefined, null, {}, { type: "single" }, { type: "number", key: {} }]);
let junkGrades = 0;
for (const q of questions) {
  for (const a of junk) {
    try {
      const g = grader.grade(q, a);
      if (g.correct || g.points_awarded !== 0) failures.push(`junk answer ${JSON.stringify(a)} scored: ${JSON.stringify(g)}`);
      junkGrades += 1;
    } catch (e) {
      failures.push(`junk ${JSON.stringify(q)} / ${JSON.stringify(a)}: threw ${e}`);
    }
  }
}

if (failures.length) {
  console.error(`${failures.length} of ${cases.length} cases differ from the Rust grader:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(`quiz-grader: ${cases.length} cases agree with the Rust grader (${[...types].sort().join(", ")}); ${junkGrades} junk inputs graded 0`);
