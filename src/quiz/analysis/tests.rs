//! Every statistic against small datasets whose values are worked out by hand in the
//! comments beside them.

use super::*;

/// Question names as keys: "q1" is key 1, "a" is key 97 (its first character).
fn key(name: &str) -> u32 {
    name.trim_start_matches('q')
        .parse()
        .unwrap_or_else(|_| u32::from(name.chars().next().unwrap()))
}

fn attempt(marks: &[(&str, f64)]) -> Vec<Response> {
    marks
        .iter()
        .map(|&(q, score)| Response {
            question: key(q),
            score: score as f32,
            chosen: None,
        })
        .collect()
}

/// The attempts as [`analyse`] takes them.
fn slices(attempts: &[Vec<Response>]) -> Vec<&[Response]> {
    attempts.iter().map(Vec::as_slice).collect()
}

/// Questions that are not choice questions.
fn bank(ids: &[&str]) -> Vec<Question> {
    ids.iter()
        .map(|q| Question {
            key: key(q),
            options: 0,
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// The statistics of the question named `question` of `bank`.
fn item<'a>(stats: &'a ExamStats, bank: &[Question], question: &str) -> &'a ItemStats {
    stats
        .items
        .iter()
        .find(|i| bank[i.question].key == key(question))
        .unwrap()
}

#[test]
fn facility_discrimination_flags_and_kr20_on_a_fixed_paper() {
    //          q1 q2 q3 q4   total
    // A         1  1  0  1   3
    // B         1  1  0  1   3
    // C         1  1  0  0   2
    // D         1  0  1  0   2
    // E         1  1  0  0   2
    // F         1  0  1  0   2
    // G         0  0  1  0   1
    // H         0  0  1  0   1
    let rows = [
        [1., 1., 0., 1.],
        [1., 1., 0., 1.],
        [1., 1., 0., 0.],
        [1., 0., 1., 0.],
        [1., 1., 0., 0.],
        [1., 0., 1., 0.],
        [0., 0., 1., 0.],
        [0., 0., 1., 0.],
    ];
    let attempts: Vec<Vec<Response>> = rows
        .iter()
        .map(|r| attempt(&[("q1", r[0]), ("q2", r[1]), ("q3", r[2]), ("q4", r[3])]))
        .collect();
    let bank = bank(&["q1", "q2", "q3", "q4"]);
    let stats = analyse(&bank, &slices(&attempts));
    assert_eq!(stats.attempts, 8);
    // Facility: q1 6/8, q2 4/8, q3 4/8, q4 2/8.
    let facilities: Vec<f64> = stats.items.iter().map(|i| i.facility).collect();
    assert_eq!(facilities, [0.75, 0.5, 0.5, 0.25]);
    // Groups: round(8 × 0.27) = 2 attempts each: upper {A, B}, lower {G, H}.
    // D = p(upper) − p(lower): q1 1 − 0, q2 1 − 0, q3 0 − 1, q4 1 − 0.
    let discrimination: Vec<Option<f64>> = stats.items.iter().map(|i| i.discrimination).collect();
    assert_eq!(
        discrimination,
        [Some(1.0), Some(1.0), Some(-1.0), Some(1.0)]
    );
    assert_eq!(item(&stats, &bank, "q1").flags, []);
    assert_eq!(
        item(&stats, &bank, "q3").flags,
        [Flag::NegativeDiscrimination]
    );
    assert_eq!(item(&stats, &bank, "q4").flags, [Flag::TooHard]);
    // KR-20 = k/(k−1) · (1 − Σpq / σ²): Σpq = .1875 + .25 + .25 + .1875 = .875;
    // totals 3,3,2,2,2,2,1,1 have mean 2 and variance 4/8 = .5;
    // 4/3 · (1 − .875/.5) = 4/3 · (−.75) = −1.
    let (coefficient, value) = stats.consistency.unwrap();
    assert_eq!(coefficient, Coefficient::Kr20);
    assert!(close(value, -1.0), "{value}");
}

#[test]
fn questions_are_analysed_over_the_papers_that_drew_them() {
    // Bank q1..q5, two questions a paper; q5 was never drawn.
    // P1: q1 1, q2 1 (score 1)   P2: q1 1, q3 0 (.5)
    // P3: q2 0, q3 0 (0)         P4: q1 0, q4 1 (.5)
    let attempts = [
        attempt(&[("q1", 1.), ("q2", 1.)]),
        attempt(&[("q1", 1.), ("q3", 0.)]),
        attempt(&[("q2", 0.), ("q3", 0.)]),
        attempt(&[("q1", 0.), ("q4", 1.)]),
    ];
    let bank = bank(&["q1", "q2", "q3", "q4", "q5"]);
    let stats = analyse(&bank, &slices(&attempts));
    let drawn: Vec<(usize, usize)> = stats
        .items
        .iter()
        .map(|i| (i.question, i.attempts))
        .collect();
    assert_eq!(drawn, [(0, 3), (1, 2), (2, 2), (3, 1)]);
    // q1 over P1, P2, P4: facility 2/3; one attempt a group (round(3 × .27) = 1):
    // upper P1 (1), lower P4 (0; P2 ties with it at .5 and was given first) → D = 1.
    let q1 = item(&stats, &bank, "q1");
    assert!(close(q1.facility, 2.0 / 3.0));
    assert_eq!(q1.discrimination, Some(1.0));
    // q2 over P1, P3: 1/2, D = 1 − 0.
    assert_eq!(
        (
            item(&stats, &bank, "q2").facility,
            item(&stats, &bank, "q2").discrimination
        ),
        (0.5, Some(1.0))
    );
    // q3 over P2, P3: nobody got it: too hard, and D = 0 − 0 does not discriminate.
    let q3 = item(&stats, &bank, "q3");
    assert_eq!((q3.facility, q3.discrimination), (0.0, Some(0.0)));
    assert_eq!(q3.flags, [Flag::TooHard, Flag::LowDiscrimination]);
    // q4 in one paper only: facility 1, no groups.
    let q4 = item(&stats, &bank, "q4");
    assert_eq!((q4.facility, q4.discrimination), (1.0, None));
    assert_eq!(q4.flags, [Flag::TooEasy]);
    // Alpha over slots: slot 1 marks 1,1,0,0 and slot 2 marks 1,0,0,1 each have
    // variance .25; totals 2,1,0,1 have variance .5: 2 · (1 − .5/.5) = 0.
    assert_eq!(stats.consistency, Some((Coefficient::Kr20, 0.0)));
}

#[test]
fn cronbachs_alpha_with_partial_credit() {
    // Slot 1: 1, .5, 0 (mean .5, variance 1/6); slot 2: .5, .5, 0 (variance 1/18);
    // totals 1.5, 1, 0 (mean 5/6, variance 7/18).
    // alpha = 2 · (1 − (1/6 + 1/18) / (7/18)) = 2 · (1 − 4/7) = 6/7.
    let attempts = [
        attempt(&[("a", 1.0), ("b", 0.5)]),
        attempt(&[("a", 0.5), ("b", 0.5)]),
        attempt(&[("a", 0.0), ("b", 0.0)]),
    ];
    let bank = bank(&["a", "b"]);
    let stats = analyse(&bank, &slices(&attempts));
    let (coefficient, value) = stats.consistency.unwrap();
    assert_eq!(coefficient, Coefficient::CronbachAlpha);
    assert!(close(value, 6.0 / 7.0), "{value}");
    // Facility with partial credit: (1 + .5 + 0) / 3 = .5.
    assert_eq!(item(&stats, &bank, "a").facility, 0.5);
}

#[test]
fn one_attempt_has_facility_but_no_discrimination_or_consistency() {
    let bank = bank(&["a", "b"]);
    let one = attempt(&[("a", 1.0), ("b", 0.0)]);
    let stats = analyse(&bank, &[one.as_slice()]);
    assert_eq!(item(&stats, &bank, "a").facility, 1.0);
    assert_eq!(item(&stats, &bank, "a").discrimination, None);
    assert_eq!(stats.consistency, None);
}

#[test]
fn all_correct_is_too_easy_and_has_no_consistency() {
    // Every total is 2: zero variance, so alpha is undefined rather than 0/0.
    let attempts = vec![attempt(&[("a", 1.0), ("b", 1.0)]); 3];
    let bank = bank(&["a", "b"]);
    let stats = analyse(&bank, &slices(&attempts));
    let a = item(&stats, &bank, "a");
    assert_eq!((a.facility, a.discrimination), (1.0, Some(0.0)));
    assert_eq!(a.flags, [Flag::TooEasy, Flag::LowDiscrimination]);
    assert_eq!(stats.consistency, None);
    assert_eq!(analyse(&bank[..1], &[]).consistency, None);
}

#[test]
fn distractor_shares_overall_and_by_group() {
    // Four attempts choose a, a, b and nothing; a is the key. round(4 × .27) = 1:
    // upper = the first attempt (a), lower = the last (unanswered).
    // Options a, b, c are 0, 1, 2.
    let choose = |option: Option<usize>, score: f32| {
        vec![Response {
            question: 7,
            score,
            chosen: choices(option),
        }]
    };
    let attempts = [
        choose(Some(0), 1.0),
        choose(Some(0), 1.0),
        choose(Some(1), 0.0),
        choose(None, 0.0),
    ];
    let bank = [Question { key: 7, options: 3 }];
    let stats = analyse(&bank, &slices(&attempts));
    let shares: Vec<(Option<usize>, f64, f64, f64)> = stats.items[0]
        .options
        .iter()
        .map(|o| (o.option, o.share, o.upper, o.lower))
        .collect();
    assert_eq!(
        shares,
        [
            (Some(0), 0.5, 1.0, 0.0),
            (Some(1), 0.25, 0.0, 0.0),
            (Some(2), 0.0, 0.0, 0.0),
            (None, 0.25, 0.0, 1.0),
        ]
    );
}

#[test]
fn miss_rates_rank_the_paragraphs_people_get_wrong() {
    // q1 and q2 cite paragraph X, q3 cites Y, q4 cites nothing.
    // X: marks 1, 0, .5 → missed 1.5 of 3 = .5; Y: marks 0, 0 → missed 2 of 2 = 1.
    let attempts = [
        attempt(&[("q1", 1.0), ("q3", 0.0), ("q4", 0.0)]),
        attempt(&[("q2", 0.0), ("q3", 0.0)]),
        attempt(&[("q1", 0.5)]),
    ];
    let source = |q: u32| match q {
        1 | 2 => Some("X"),
        3 => Some("Y"),
        _ => None,
    };
    assert_eq!(
        miss_rates(&slices(&attempts), source),
        [("Y", 2, 1.0), ("X", 3, 0.5)]
    );
}

#[test]
fn a_multiple_choice_answer_counts_for_every_option_it_chose() {
    // Three attempts at one multiple-choice question with options 0..3 (key: 0 and 2):
    // {0, 2} right, {0, 1} half, {3} wrong. Shares: option 0 in 2 of 3, 1 in 1, 2 in 1,
    // 3 in 1, unanswered none. round(3 × .27) = 1: upper {0, 2}, lower {3}.
    let attempts: Vec<Vec<Response>> = [(&[0, 2][..], 1.0), (&[0, 1][..], 0.5), (&[3][..], 0.0)]
        .iter()
        .map(|(chosen, score)| {
            vec![Response {
                question: 1,
                score: *score,
                chosen: choices(chosen.iter().copied()),
            }]
        })
        .collect();
    let bank = [Question { key: 1, options: 4 }];
    let stats = analyse(&bank, &slices(&attempts));
    let item = &stats.items[0];
    assert_eq!(item.facility, 0.5);
    assert_eq!(item.discrimination, Some(1.0));
    let shares: Vec<(Option<usize>, f64, f64, f64)> = item
        .options
        .iter()
        .map(|o| (o.option, o.share, o.upper, o.lower))
        .collect();
    let third = 1.0 / 3.0;
    assert_eq!(
        shares,
        [
            (Some(0), 2.0 * third, 1.0, 0.0),
            (Some(1), third, 0.0, 0.0),
            (Some(2), third, 1.0, 0.0),
            (Some(3), third, 0.0, 1.0),
            (None, 0.0, 0.0, 0.0),
        ]
    );
    // Options past the most a mask holds are dropped, not wrapped onto others.
    assert_eq!(choices([MAX_OPTIONS, 1]), choices([1]));
    assert_eq!(choices([MAX_OPTIONS]), None);
}
