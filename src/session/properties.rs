//! Property tests of the session [`Machine`] against any server behaviour.
//!
//! A generated [`Script`] is what the server will say: start answers, upload answers (any
//! feedback code, known or not, any `missing_images`, `complete` either way) and status answers
//! (every status), each mixed with every kind of [`ApiError`] (network, 4xx, 5xx, 429, decode).
//! Each list is replayed in a cycle, so a short script stands for an endless server that keeps
//! giving the same answers. A simulated shell drives the machine the way `driver::run` does: it
//! carries out the commands in order, answering `Start`, `Capture` (an image kept under a fresh
//! id), `Upload`, `PollStatus` and `Wait` with the script's next answer, and holds each captured
//! image until the machine releases it. Now and then it also slips in a stray input that cannot
//! be the answer the machine waits for (a late upload answer for another image, a status nobody
//! asked for, a timer that was not set). Every property is then checked over the recorded run.
//!
//! Shrunk failures that show a real bug become plain tests in `tests.rs`, so no regression
//! files are written next to the sources.

use std::collections::{HashMap, HashSet, VecDeque};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config as ProptestConfig;

use super::*;

// ---------------------------------------------------------------------------------------------
// What the server may say
// ---------------------------------------------------------------------------------------------

/// Statuses worth naming; any other code in 100..=599 is drawn too.
const HTTP_STATUSES: [u16; 18] = [
    400, 401, 403, 404, 408, 409, 410, 413, 415, 422, 429, 500, 501, 502, 503, 504, 520, 599,
];

const SESSION_STATUSES: [SessionStatus; 8] = [
    SessionStatus::Pending,
    SessionStatus::Capturing,
    SessionStatus::Processing,
    SessionStatus::Recapture,
    SessionStatus::Complete,
    SessionStatus::Error,
    SessionStatus::Expired,
    SessionStatus::Unknown,
];

fn image_type() -> impl Strategy<Value = ImageType> {
    prop::sample::select(ImageType::ALL.to_vec())
}

/// Any list of types: any subset, in any order, even with a type twice.
fn image_types() -> impl Strategy<Value = Vec<ImageType>> {
    prop::collection::vec(image_type(), 0..=4)
}

fn api_error() -> impl Strategy<Value = ApiError> {
    prop_oneof![
        Just(ApiError::Network),
        Just(ApiError::Decode),
        prop::sample::select(HTTP_STATUSES.to_vec()).prop_map(|status| ApiError::Http { status }),
        (100u16..=599).prop_map(|status| ApiError::Http { status }),
    ]
}

/// The errors worth a retry (network, 5xx, 429), drawn more often than [`api_error`] so that
/// runs get past their first request.
fn transient_error() -> impl Strategy<Value = ApiError> {
    prop_oneof![
        Just(ApiError::Network),
        Just(ApiError::Http { status: 429 }),
        (500u16..=599).prop_map(|status| ApiError::Http { status }),
    ]
}

/// An answer: mostly a response, sometimes a transient error, now and then any error.
fn answer<T: std::fmt::Debug>(
    ok: impl Strategy<Value = T>,
) -> impl Strategy<Value = Result<T, ApiError>> {
    prop_oneof![
        10 => ok.prop_map(Ok),
        3 => transient_error().prop_map(Err),
        1 => api_error().prop_map(Err),
    ]
}

/// The `feedback` string as sent: a documented code, the legacy `blurry`, or anything else
/// (which decodes to `other`).
fn feedback_raw() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(Feedback::ALL).prop_map(|f| f.as_str().to_owned()),
        1 => Just("blurry".to_owned()),
        1 => "[a-z_]{0,14}",
    ]
}

fn add_images_response() -> impl Strategy<Value = AddImagesResponse> {
    (
        feedback_raw(),
        // `complete` comes once per session from a real server: mostly false here.
        prop::bool::weighted(0.25),
        image_types(),
        prop::option::of("[ -~]{0,12}"),
    )
        .prop_map(
            |(raw, complete, missing_images, custom_feedback)| AddImagesResponse {
                feedback: Feedback::parse(&raw),
                feedback_raw: raw,
                complete,
                missing_images,
                custom_feedback,
            },
        )
}

fn status_response() -> impl Strategy<Value = SessionStatusResponse> {
    (
        prop_oneof![
            3 => prop::sample::select(SESSION_STATUSES.to_vec()),
            1 => Just(SessionStatus::Recapture),
        ],
        prop::option::of("[a-z_]{1,20}"),
        image_types(),
    )
        .prop_map(
            |(status, recapture_reason, missing_images)| SessionStatusResponse {
                status,
                recapture_reason,
                missing_images,
                callback_url: None,
                state: None,
            },
        )
}

/// Start answers: `required_images` is seldom empty.
fn start_answer() -> impl Strategy<Value = Result<Vec<ImageType>, ApiError>> {
    answer(prop_oneof![
        7 => prop::collection::vec(image_type(), 1..=4),
        1 => Just(Vec::new()),
    ])
}

/// Upload answers also draw the two refusals the machine acts on, 400 and 409, more often.
fn upload_answer() -> impl Strategy<Value = Result<AddImagesResponse, ApiError>> {
    prop_oneof![
        9 => answer(add_images_response()),
        1 => prop::sample::select(vec![400u16, 409])
            .prop_map(|status| Err(ApiError::Http { status })),
    ]
}

fn status_answer() -> impl Strategy<Value = Result<SessionStatusResponse, ApiError>> {
    answer(status_response())
}

/// An input that does not answer the command the machine waits for.
#[derive(Clone, Debug)]
enum Stray {
    Started(Vec<ImageType>),
    StartFailed(ApiError),
    /// A capture of this type under a fresh id.
    Captured(ImageType),
    /// A (late) answer for one of the ids minted so far.
    UploadResult(Index, Result<AddImagesResponse, ApiError>),
    Status(Result<SessionStatusResponse, ApiError>),
    TimerFired,
}

fn stray() -> impl Strategy<Value = Option<Stray>> {
    let stray = prop_oneof![
        image_types().prop_map(Stray::Started),
        api_error().prop_map(Stray::StartFailed),
        image_type().prop_map(Stray::Captured),
        (any::<Index>(), upload_answer()).prop_map(|(i, r)| Stray::UploadResult(i, r)),
        status_answer().prop_map(Stray::Status),
        Just(Stray::TimerFired),
    ];
    prop::option::weighted(0.25, stray)
}

fn config() -> impl Strategy<Value = Config> {
    (
        (1u32..=4, 0u32..=2, 1u32..=4, 1u32..=3),
        (0u32..=1_000, 0u32..=10_000, 0u32..=2_000, 0u32..=10_000),
        any::<u64>(),
    )
        .prop_map(
            |(
                (max_upload_attempts, max_recapture_rounds, max_polls, max_captures_per_image),
                (retry_base_ms, retry_max_ms, poll_base_ms, poll_max_ms),
                jitter_seed,
            )| Config {
                max_upload_attempts,
                max_recapture_rounds,
                retry_base_ms,
                retry_max_ms,
                poll_base_ms,
                poll_max_ms,
                max_polls,
                max_captures_per_image,
                jitter_seed,
            },
        )
}

/// A server's behaviour for a whole session, each list replayed in a cycle.
#[derive(Clone, Debug)]
struct Script {
    config: Config,
    starts: Vec<Result<Vec<ImageType>, ApiError>>,
    uploads: Vec<Result<AddImagesResponse, ApiError>>,
    statuses: Vec<Result<SessionStatusResponse, ApiError>>,
    strays: Vec<Option<Stray>>,
}

fn script() -> impl Strategy<Value = Script> {
    (
        config(),
        prop::collection::vec(start_answer(), 1..4),
        prop::collection::vec(upload_answer(), 1..12),
        prop::collection::vec(status_answer(), 1..12),
        prop::collection::vec(stray(), 1..16),
    )
        .prop_map(|(config, starts, uploads, statuses, strays)| Script {
            config,
            starts,
            uploads,
            statuses,
            strays,
        })
}

// ---------------------------------------------------------------------------------------------
// The simulated shell
// ---------------------------------------------------------------------------------------------

/// One input fed to the machine and what came back.
#[derive(Clone, Debug)]
struct Step {
    input: Input,
    /// A stray input (not the answer to the command carried out).
    stray: bool,
    out: Vec<Command>,
    /// `is_done()` and `missing_images()` right after.
    done: bool,
    missing: Vec<ImageType>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    /// The command queue ran dry with the machine done.
    Done,
    /// The command queue ran dry with the machine not done: the shell has nothing to do.
    Stuck,
    /// The shell stopped answering after [`ANSWER_CAP`] answers.
    Cut,
}

#[derive(Debug)]
struct Run {
    first: Vec<Command>,
    steps: Vec<Step>,
    /// Answers the shell gave (stray inputs not counted).
    answers: usize,
    end: End,
}

impl Run {
    /// Every batch of commands: `Machine::new`'s, then one per input.
    fn batches(&self) -> impl Iterator<Item = (Option<&Step>, &[Command])> {
        std::iter::once((None, self.first.as_slice()))
            .chain(self.steps.iter().map(|s| (Some(s), s.out.as_slice())))
    }
}

/// Far past any bound of [`answer_bound`] for the configs drawn.
const ANSWER_CAP: usize = 5_000;

struct Shell<'a> {
    script: &'a Script,
    next: [usize; 4],
    minted: Vec<String>,
    queue: VecDeque<Command>,
    steps: Vec<Step>,
}

impl Shell<'_> {
    fn take<'s, T>(next: &mut usize, list: &'s [T]) -> &'s T {
        let item = &list[*next % list.len()];
        *next += 1;
        item
    }

    fn mint(&mut self) -> String {
        let id = format!("img-{}", self.minted.len());
        self.minted.push(id.clone());
        id
    }

    fn feed(&mut self, m: &mut Machine, input: Input, stray: bool) {
        let out = m.handle(input.clone());
        self.queue.extend(out.iter().cloned());
        self.steps.push(Step {
            input,
            stray,
            out,
            done: m.is_done(),
            missing: m.missing_images().to_vec(),
        });
    }

    /// The script's next stray input, unless it could be the answer to `waiting_for`.
    fn stray(&mut self, waiting_for: &Command) -> Option<Input> {
        let stray = Self::take(&mut self.next[3], &self.script.strays).clone()?;
        Some(match (stray, waiting_for) {
            (Stray::Started(_) | Stray::StartFailed(_), Command::Start) => return None,
            (Stray::Started(required_images), _) => Input::Started {
                session_id: "stray".into(),
                required_images,
            },
            (Stray::StartFailed(e), _) => Input::StartFailed(e),
            (Stray::Captured(t), Command::Capture { image_type, .. }) if t == *image_type => {
                return None
            }
            (Stray::Captured(image_type), _) => Input::Captured {
                image_type,
                image_id: self.mint(),
            },
            (Stray::UploadResult(i, result), _) => {
                if self.minted.is_empty() {
                    return None;
                }
                let image_id = i.get(&self.minted).clone();
                if matches!(waiting_for, Command::Upload { image_id: id, .. } if *id == image_id) {
                    return None;
                }
                Input::UploadResult { image_id, result }
            }
            (Stray::Status(_), Command::PollStatus) | (Stray::TimerFired, Command::Wait { .. }) => {
                return None
            }
            (Stray::Status(r), _) => Input::Status(r),
            (Stray::TimerFired, _) => Input::TimerFired,
        })
    }

    fn answer(&mut self, command: &Command) -> Input {
        let s = self.script;
        match command {
            Command::Start => match Self::take(&mut self.next[0], &s.starts) {
                Ok(required_images) => Input::Started {
                    session_id: "sid".into(),
                    required_images: required_images.clone(),
                },
                Err(e) => Input::StartFailed(e.clone()),
            },
            Command::Capture { image_type, .. } => Input::Captured {
                image_type: *image_type,
                image_id: self.mint(),
            },
            Command::Upload { image_id, .. } => Input::UploadResult {
                image_id: image_id.clone(),
                result: Self::take(&mut self.next[1], &s.uploads).clone(),
            },
            Command::PollStatus => {
                Input::Status(Self::take(&mut self.next[2], &s.statuses).clone())
            }
            Command::Wait { .. } => Input::TimerFired,
            Command::Release { .. } | Command::Emit(_) | Command::Finish(_) => {
                unreachable!("not answered")
            }
        }
    }
}

/// Runs the machine against the script until the shell has nothing left to do; once the machine
/// is done, feeds it one input of every kind more.
fn simulate(script: &Script) -> Run {
    let (mut m, first) = Machine::new(script.config);
    let mut shell = Shell {
        script,
        next: [0; 4],
        minted: Vec::new(),
        queue: first.iter().cloned().collect(),
        steps: Vec::new(),
    };
    let mut answers = 0;
    let end = loop {
        let Some(command) = shell.queue.pop_front() else {
            break if m.is_done() { End::Done } else { End::Stuck };
        };
        if matches!(
            command,
            Command::Release { .. } | Command::Emit(_) | Command::Finish(_)
        ) {
            continue;
        }
        if answers == ANSWER_CAP {
            break End::Cut;
        }
        answers += 1;
        if let Some(input) = shell.stray(&command) {
            shell.feed(&mut m, input, true);
        }
        let input = shell.answer(&command);
        shell.feed(&mut m, input, false);
    };
    if end == End::Done {
        let late_id = shell.minted.last().cloned().unwrap_or_default();
        let fresh_id = shell.mint();
        let complete = AddImagesResponse::new(Feedback::Ok, true, Vec::new());
        for input in [
            Input::Started {
                session_id: "again".into(),
                required_images: ImageType::ALL.to_vec(),
            },
            Input::StartFailed(ApiError::Network),
            Input::Captured {
                image_type: ImageType::DocumentFront,
                image_id: fresh_id,
            },
            Input::UploadResult {
                image_id: late_id,
                result: Ok(complete),
            },
            Input::Status(Ok(SessionStatusResponse {
                status: SessionStatus::Complete,
                recapture_reason: None,
                missing_images: Vec::new(),
                callback_url: None,
                state: None,
            })),
            Input::TimerFired,
        ] {
            shell.feed(&mut m, input, true);
        }
    }
    Run {
        first,
        steps: shell.steps,
        answers,
        end,
    }
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/// What the machine takes as the server's acknowledgement of an image, after which the shell may
/// forget it: any decoded `AddImagesResponse` (whatever its feedback: the server has judged that
/// image, a retake is a new image), a 400 (the server refused that image: it is captured anew)
/// and a 409 (the server already has every image). Network errors, 5xx and 429 are not: the
/// same image is sent again under the same id. Any other error (401/403/404/413/422/…, decode)
/// ends the session, with nothing released; the shell drops everything when it ends.
fn acknowledged(result: &Result<AddImagesResponse, ApiError>) -> bool {
    matches!(result, Ok(_) | Err(ApiError::Http { status: 400 | 409 }))
}

/// Answers the shell may give before the machine must be done (stray inputs not counted):
/// - the start: `max_upload_attempts` starts and a wait between two;
/// - each round (the first, then one per server-requested recapture): every type captured at
///   most `max_captures_per_image` times, each capture answered once, then sent at most
///   `max_upload_attempts` times with a wait between two; then at most `max_polls` polls with a
///   wait between two.
fn answer_bound(c: &Config) -> usize {
    let attempts = c.max_upload_attempts.max(1) as usize;
    let start = 2 * attempts - 1;
    let captures = ImageType::ALL.len() * c.max_captures_per_image.max(1) as usize;
    let capture_phase = captures * (1 + 2 * attempts - 1);
    let poll_phase = 2 * c.max_polls.max(1) as usize - 1;
    start + (c.max_recapture_rounds as usize + 1) * (capture_phase + poll_phase)
}

fn at(step: Option<&Step>) -> String {
    match step {
        None => "Machine::new".into(),
        Some(s) => format!("{:?}{}", s.input, if s.stray { " (stray)" } else { "" }),
    }
}

/// Property 1: Only a type the server still lists is uploaded, and only an image the shell holds.
fn uploads_only_missing_types_the_shell_holds(run: &Run) -> Result<(), TestCaseError> {
    // The server's `missing_images` as last told: `required_images`, then every upload answer
    // and every status answer (the machine only ever uploads after one of the first three).
    let mut told: Vec<ImageType> = Vec::new();
    let mut held: HashMap<&str, ImageType> = HashMap::new();
    for (step, batch) in run.batches() {
        if let Some(s) = step {
            match &s.input {
                Input::Captured {
                    image_type,
                    image_id,
                } => {
                    held.insert(image_id, *image_type);
                }
                Input::Started {
                    required_images, ..
                } if !s.stray => told = required_images.clone(),
                Input::UploadResult { result: Ok(r), .. } if !s.stray => {
                    told = r.missing_images.clone()
                }
                Input::Status(Ok(r)) if !s.stray => told = r.missing_images.clone(),
                _ => {}
            }
        }
        for c in batch {
            match c {
                Command::Upload {
                    image_type,
                    image_id,
                } => {
                    prop_assert!(
                        told.contains(image_type),
                        "upload of {image_type} while the server lists {told:?}, at {}",
                        at(step)
                    );
                    prop_assert!(
                        step.is_some_and(|s| s.missing.contains(image_type)),
                        "upload of {image_type}, not in missing_images(), at {}",
                        at(step)
                    );
                    prop_assert!(
                        held.contains_key(image_id.as_str()),
                        "upload of {image_id}, which the shell does not hold, at {}",
                        at(step)
                    );
                }
                Command::Release { image_id } => {
                    held.remove(image_id.as_str());
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Property 2: An image is released exactly when the server acknowledged it (see [`acknowledged`]),
/// and until then every retry re-sends the same id.
fn releases_only_acknowledged_images_and_retries_the_same_id(
    run: &Run,
) -> Result<(), TestCaseError> {
    let mut held: HashSet<&str> = HashSet::new();
    let mut resend: Option<&str> = None;
    for (step, batch) in run.batches() {
        let answered = match step.map(|s| (&s.input, s.stray)) {
            Some((Input::Captured { image_id, .. }, _)) => {
                held.insert(image_id);
                None
            }
            Some((Input::UploadResult { image_id, result }, false)) => Some((image_id, result)),
            _ => None,
        };
        for c in batch {
            match c {
                Command::Release { image_id } => {
                    prop_assert!(
                        matches!(answered, Some((id, r)) if id == image_id && acknowledged(r)),
                        "release of {image_id} at {}: not an acknowledgement of it",
                        at(step)
                    );
                    prop_assert!(
                        held.remove(image_id.as_str()),
                        "release of {image_id}, not held, at {}",
                        at(step)
                    );
                }
                Command::Upload { image_id, .. } => {
                    if let Some(id) = resend.take() {
                        prop_assert_eq!(id, image_id.as_str(), "retry under another id");
                    }
                }
                Command::Capture { image_type, .. } => prop_assert!(
                    resend.is_none(),
                    "capture of {image_type} while {resend:?} awaits a retry, at {}",
                    at(step)
                ),
                _ => {}
            }
        }
        if let (Some(s), Some((id, result))) = (step, answered) {
            let released = batch
                .iter()
                .any(|c| matches!(c, Command::Release { image_id } if image_id == id));
            if acknowledged(result) {
                prop_assert!(released, "{id} acknowledged and kept, at {}", at(step));
            } else if !s.done {
                resend = Some(id);
            }
        }
    }
    Ok(())
}

/// Property 3: One id, one image: the shell mints a fresh id per capture, and the machine uploads
/// an id only as the type captured under it, only after taking that capture, and never as two
/// types.
fn one_image_per_id(run: &Run) -> Result<(), TestCaseError> {
    let mut captured: HashMap<&str, ImageType> = HashMap::new();
    let mut taken: HashSet<&str> = HashSet::new();
    let mut sent: HashMap<&str, ImageType> = HashMap::new();
    for (step, batch) in run.batches() {
        if let Some(Input::Captured {
            image_type,
            image_id,
        }) = step.map(|s| &s.input)
        {
            prop_assert!(
                captured.insert(image_id, *image_type).is_none(),
                "shell minted {image_id} twice"
            );
            if batch
                .iter()
                .any(|c| matches!(c, Command::Upload { image_id: id, .. } if id == image_id))
            {
                taken.insert(image_id);
            }
        }
        for c in batch {
            if let Command::Upload {
                image_type,
                image_id,
            } = c
            {
                let id = image_id.as_str();
                prop_assert_eq!(
                    captured.get(id),
                    Some(image_type),
                    "{} uploaded as another type than captured, at {}",
                    id,
                    at(step)
                );
                prop_assert!(
                    taken.contains(id),
                    "{id} uploaded but its capture was ignored, at {}",
                    at(step)
                );
                let first = *sent.entry(id).or_insert(*image_type);
                prop_assert_eq!(first, *image_type, "{} sent as two types", id);
            }
        }
    }
    Ok(())
}

/// Property 4: Every run ends, within [`answer_bound`] answers: one command to carry out at a time,
/// then exactly one `Finish` as the last command, `is_done()` from then on, and nothing after it.
/// Waits stay within the configured maximum.
fn ends_once_within_the_bound(script: &Script, run: &Run) -> Result<(), TestCaseError> {
    let c = &script.config;
    prop_assert_eq!(run.end, End::Done, "the run did not end");
    let bound = answer_bound(c);
    prop_assert!(
        run.answers <= bound,
        "{} answers, more than the bound {bound}",
        run.answers
    );
    let max_wait = c.retry_max_ms.max(c.poll_max_ms);
    let mut finished = false;
    for (step, batch) in run.batches() {
        if finished {
            prop_assert!(batch.is_empty(), "{batch:?} after Finish, at {}", at(step));
            prop_assert!(step.is_some_and(|s| s.done), "not done after Finish");
            continue;
        }
        if step.is_some_and(|s| s.stray) {
            prop_assert!(!step.is_some_and(|s| s.done), "done by a stray input");
            continue;
        }
        let next: Vec<&Command> = batch
            .iter()
            .filter(|c| !matches!(c, Command::Release { .. } | Command::Emit(_)))
            .collect();
        prop_assert_eq!(
            next.len(),
            1,
            "not one command to carry out: {:?}, at {}",
            batch,
            at(step)
        );
        match next[0] {
            Command::Finish(_) => {
                prop_assert!(
                    matches!(batch.last(), Some(Command::Finish(_))),
                    "Finish not last: {batch:?}"
                );
                prop_assert!(step.is_some_and(|s| s.done), "Finish, not done");
                finished = true;
            }
            Command::Wait { ms } => {
                prop_assert!(*ms <= max_wait, "wait of {ms} ms, over {max_wait}");
                prop_assert!(!step.is_some_and(|s| s.done), "done without Finish");
            }
            _ => prop_assert!(!step.is_some_and(|s| s.done), "done without Finish"),
        }
    }
    prop_assert!(finished, "no Finish");
    Ok(())
}

/// Property 4b: Each budget of the [`Config`] holds on its own (together they make
/// [`answer_bound`]): at most `max_upload_attempts` starts, and sends of one image; at most
/// `max_recapture_rounds` rounds after the first; in each round, at most `max_captures_per_image`
/// captures of one type and `max_polls` polls.
fn keeps_every_budget(script: &Script, run: &Run) -> Result<(), TestCaseError> {
    let c = &script.config;
    let attempts = c.max_upload_attempts.max(1);
    let mut starts = 0;
    let mut sends: HashMap<&str, u32> = HashMap::new();
    let mut rounds = 0;
    let mut captures: HashMap<ImageType, u32> = HashMap::new();
    let mut polls = 0;
    for (step, batch) in run.batches() {
        for command in batch {
            match command {
                Command::Start => {
                    starts += 1;
                    prop_assert!(starts <= attempts, "start {starts}, at {}", at(step));
                }
                Command::Upload { image_id, .. } => {
                    let n = sends.entry(image_id).or_default();
                    *n += 1;
                    prop_assert!(*n <= attempts, "{image_id} sent {n} times, at {}", at(step));
                }
                Command::Emit(Event::Recapture { .. }) => {
                    rounds += 1;
                    prop_assert!(
                        rounds <= c.max_recapture_rounds,
                        "recapture round {rounds}, at {}",
                        at(step)
                    );
                    captures.clear();
                    polls = 0;
                }
                Command::Capture { image_type, .. } => {
                    let n = captures.entry(*image_type).or_default();
                    *n += 1;
                    prop_assert!(
                        *n <= c.max_captures_per_image.max(1),
                        "{image_type} captured {n} times in round {rounds}, at {}",
                        at(step)
                    );
                }
                Command::PollStatus => {
                    polls += 1;
                    prop_assert!(
                        polls <= c.max_polls.max(1),
                        "poll {polls} in round {rounds}, at {}",
                        at(step)
                    );
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Property 5: `Finish(Complete)` (and the `completed` event) only as the answer to a status that
/// says `complete`: an upload answer's `complete: true` only means processing starts.
fn completes_only_when_the_server_says_complete(run: &Run) -> Result<(), TestCaseError> {
    for (step, batch) in run.batches() {
        let completes = batch.iter().any(|c| {
            matches!(
                c,
                Command::Finish(Outcome::Complete) | Command::Emit(Event::Completed { .. })
            )
        });
        if completes {
            prop_assert!(
                matches!(
                    step,
                    Some(Step { input: Input::Status(Ok(r)), stray: false, .. })
                        if r.status == SessionStatus::Complete
                ),
                "complete at {}",
                at(step)
            );
        }
    }
    Ok(())
}

/// Property 6: An input that is not the answer the machine waits for changes nothing: no command,
/// the same `missing_images()`, not done (or still done).
fn stray_inputs_are_ignored(run: &Run) -> Result<(), TestCaseError> {
    let mut before: (bool, &[ImageType]) = (false, &[]);
    for s in &run.steps {
        if s.stray {
            prop_assert!(s.out.is_empty(), "{:?} answered {:?}", s.input, s.out);
            prop_assert_eq!((s.done, s.missing.as_slice()), before, "{:?}", s.input);
        }
        before = (s.done, s.missing.as_slice());
    }
    Ok(())
}

fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn prop_uploads_only_missing_types_the_shell_holds(s in script()) {
        uploads_only_missing_types_the_shell_holds(&simulate(&s))?;
    }

    #[test]
    fn prop_releases_only_acknowledged_images_and_retries_the_same_id(s in script()) {
        releases_only_acknowledged_images_and_retries_the_same_id(&simulate(&s))?;
    }

    #[test]
    fn prop_one_image_per_id(s in script()) {
        one_image_per_id(&simulate(&s))?;
    }

    #[test]
    fn prop_ends_once_within_the_bound(s in script()) {
        ends_once_within_the_bound(&s, &simulate(&s))?;
    }

    #[test]
    fn prop_keeps_every_budget(s in script()) {
        keeps_every_budget(&s, &simulate(&s))?;
    }

    #[test]
    fn prop_completes_only_when_the_server_says_complete(s in script()) {
        completes_only_when_the_server_says_complete(&simulate(&s))?;
    }

    #[test]
    fn prop_stray_inputs_are_ignored(s in script()) {
        stray_inputs_are_ignored(&simulate(&s))?;
    }
}

/// The generator is worth its cases: over 256 fixed-seed scripts the runs reach every way a
/// session ends and every branch the properties are about.
#[test]
fn the_generated_servers_reach_every_branch() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut seen: HashSet<String> = HashSet::new();
    for _ in 0..256 {
        let script = script().new_tree(&mut runner).unwrap().current();
        let run = simulate(&script);
        let mut sent = HashSet::new();
        for (step, batch) in run.batches() {
            let input = step.map(|s| (&s.input, s.stray));
            if let Some((_, true)) = input {
                seen.insert("a stray input".into());
            }
            if let Some((
                Input::UploadResult {
                    result: Err(ApiError::Http { status }),
                    ..
                },
                false,
            )) = input
            {
                seen.insert(format!("an upload answered {status}"));
            }
            for c in batch {
                match c {
                    Command::Upload { image_id, .. } if !sent.insert(image_id) => {
                        seen.insert("a retried upload".into());
                    }
                    Command::Emit(Event::Recapture { .. }) => {
                        seen.insert("a recapture round".into());
                    }
                    Command::Finish(o) => {
                        seen.insert(format!("{o:?}"));
                        if let (Outcome::RecaptureLimit, Some((Input::UploadResult { .. }, _))) =
                            (o, input)
                        {
                            seen.insert("the capture bound".into());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for want in [
        "Complete",
        "RecaptureLimit",
        "ServerError",
        "Failed(SessionExpired)",
        "Failed(Network)",
        "Failed(Internal)",
        "a stray input",
        "an upload answered 400",
        "an upload answered 409",
        "a retried upload",
        "a recapture round",
        "the capture bound",
    ] {
        assert!(seen.contains(want), "no run with {want}: {seen:?}");
    }
}
