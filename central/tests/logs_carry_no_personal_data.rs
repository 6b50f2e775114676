//! The server's logs never carry a participant number, a reading's value or a token: every log
//! line the server writes (at TRACE, JSON, as `serve` writes them) during uploads, held events,
//! history and points reads, refused credentials and malformed bodies is captured and searched.
//!
//! One test per file: it installs the process-wide subscriber (nextest runs each test in its own
//! process), so log lines from every thread — including SQLite's blocking pool — are captured.
#![allow(clippy::unwrap_used)]

mod common;

use common::{consent_event, measurement_event, spawn_app};
use hakaru_wire::api::UploadRequest;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A participant number and values unlikely to occur by chance in a log line.
const PARTICIPANT: &str = "QZX-731942";
const UNKNOWN: &str = "QZX-000555";
const WEIGHT: &str = "61.5";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_participant_number_value_or_token_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let app = spawn_app().await;
    app.put_participant(&app.a.program, PARTICIPANT).await;
    let batch = UploadRequest {
        events: vec![
            consent_event(&app.a.station, 1, PARTICIPANT),
            measurement_event(&app.a.station, 2, PARTICIPANT),
            // Held: not on the roster.
            measurement_event(&app.a.station, 3, UNKNOWN),
        ],
        backlog_after: 0,
        last_error: None,
    };
    assert_eq!(
        app.post_as(&app.a, "/v1/events", &batch).await.status(),
        200
    );
    // Replayed.
    assert_eq!(
        app.post_as(&app.a, "/v1/events", &batch).await.status(),
        200
    );
    for path in [
        format!("/v1/participants/{PARTICIPANT}/history"),
        format!("/v1/participants/{PARTICIPANT}/points"),
        format!("/v1/participants/{UNKNOWN}/history"),
        "/v1/changes?since=0".to_owned(),
    ] {
        let status = app.get_as(&app.a, &path).await.status().as_u16();
        assert!(status == 200 || status == 404, "{path}: {status}");
    }
    // A batch naming another station (403), a malformed body (400), a wrong token (401).
    let mut foreign = batch.clone();
    foreign.events[0].station = "someone-else".into();
    assert_eq!(
        app.post_as(&app.a, "/v1/events", &foreign).await.status(),
        403
    );
    let malformed = app
        .client
        .post(app.url("/v1/events"))
        .bearer_auth(&app.a.token)
        .header("content-type", "application/json")
        .body(format!(r#"{{"events": [{{"participant": "{PARTICIPANT}""#))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    // The same token with its last hex digit changed.
    let last = if app.a.token.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &app.a.token[..app.a.token.len() - 1]);
    let refused = app
        .client
        .get(app.url(&format!("/v1/participants/{PARTICIPANT}/points")))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines = text.lines().count();
    assert!(
        lines >= 10,
        "the capture works: {lines} lines were logged\n{text}"
    );
    assert!(text.contains("/v1/events"), "requests are logged\n{text}");
    let secret = app.a.token.rsplit('.').next().unwrap();
    for needle in [PARTICIPANT, UNKNOWN, WEIGHT, secret] {
        assert!(
            !text.contains(needle),
            "{needle:?} appears in the logs:\n{}",
            text.lines()
                .filter(|l| l.contains(needle))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
