//! The sync client's HTTP handling against a tiny real axum server on loopback that answers
//! with fixed statuses: every status maps to its typed error, the bearer credential is sent,
//! Retry-After is read, timeouts and refused connections are network errors, and an
//! undecodable change-feed entry is skipped without losing the rest of the page.
//!
//! These test the client's HTTP handling only; syncing against the real central server is in
//! `sync_with_central.rs`.

#![allow(clippy::unwrap_used)]

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hakaru_station::sync::{CentralClient, ClientOptions, Credential, SyncError};
use hakaru_wire::api::{Ack, AckOutcome, UploadRequest, UploadResponse};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "hk1.c0ffee.00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// An extra response header.
type Header = Option<(&'static str, &'static str)>;

/// What the fake answers next, and what it saw.
#[derive(Default)]
struct Fake {
    /// Status, extra header, body for the next request (200 + echo of acks when None).
    answer: Option<(u16, Header, String)>,
    /// Authorization headers seen.
    auth: Vec<String>,
    /// Query strings seen on /v1/changes.
    queries: Vec<HashMap<String, String>>,
    /// Delay before answering.
    delay: Option<Duration>,
    /// Answer 413 to uploads with more events than this.
    max_events: Option<usize>,
    /// Upload sizes seen.
    sizes: Vec<usize>,
}

type Shared = Arc<Mutex<Fake>>;

fn canned(f: &Fake) -> Option<Response> {
    f.answer.as_ref().map(|(status, header, body)| {
        let mut r = (StatusCode::from_u16(*status).unwrap(), body.clone()).into_response();
        r.headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        if let Some((k, v)) = header {
            r.headers_mut().insert(*k, v.parse().unwrap());
        }
        r
    })
}

async fn events(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<UploadRequest>,
) -> Response {
    let delay = {
        let mut f = s.lock().unwrap();
        f.auth.push(
            headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned(),
        );
        f.sizes.push(req.events.len());
        if f.max_events.is_some_and(|max| req.events.len() > max) {
            return (StatusCode::PAYLOAD_TOO_LARGE, "{}").into_response();
        }
        f.delay
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    if let Some(r) = canned(&s.lock().unwrap()) {
        return r;
    }
    Json(UploadResponse {
        acks: req
            .events
            .iter()
            .map(|e| Ack {
                id: e.id,
                outcome: AckOutcome::Accepted,
                points: None,
                card: None,
            })
            .collect(),
    })
    .into_response()
}

async fn changes(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut f = s.lock().unwrap();
    f.queries.push(q);
    canned(&f).unwrap_or_else(|| {
        Json(serde_json::json!({"changes": [], "next_cursor": 0, "more": false})).into_response()
    })
}

async fn serve() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let app = Router::new()
        .route("/v1/events", post(events))
        .route("/v1/changes", get(changes))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), shared)
}

fn client(base: &str) -> CentralClient {
    let opts = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(800),
        extra_root_pem: None,
    };
    CentralClient::new(base, Credential::new(TOKEN).unwrap(), &opts).unwrap()
}

fn empty_upload() -> UploadRequest {
    UploadRequest {
        events: vec![],
        backlog_after: 0,
        last_error: None,
    }
}

#[tokio::test]
async fn the_bearer_credential_is_sent_and_a_good_answer_decodes() {
    let (base, fake) = serve().await;
    let resp = client(&base).upload(&empty_upload()).await.unwrap();
    assert!(resp.acks.is_empty());
    assert_eq!(fake.lock().unwrap().auth, vec![format!("Bearer {TOKEN}")]);
}

#[tokio::test]
async fn statuses_become_typed_errors() {
    let (base, fake) = serve().await;
    let c = client(&base);
    let cases: Vec<(u16, Header, &str, SyncError)> = vec![
        (
            401,
            None,
            r#"{"code":"credential_refused","message":"…"}"#,
            SyncError::CredentialRefused,
        ),
        (
            403,
            None,
            r#"{"code":"forbidden","message":"…"}"#,
            SyncError::Forbidden,
        ),
        (413, None, "{}", SyncError::TooLarge),
        (
            503,
            Some(("retry-after", "12")),
            r#"{"code":"unavailable","message":"…"}"#,
            SyncError::Unavailable {
                retry_after: Some(Duration::from_secs(12)),
            },
        ),
        (429, None, "", SyncError::Unavailable { retry_after: None }),
        (
            500,
            None,
            r#"{"code":"internal","message":"…"}"#,
            SyncError::Server { status: 500 },
        ),
        (
            422,
            None,
            r#"{"code":"invalid_batch","message":"…"}"#,
            SyncError::Rejected {
                status: 422,
                code: Some("invalid_batch".into()),
            },
        ),
        (
            404,
            None,
            "<html>not found</html>",
            SyncError::Rejected {
                status: 404,
                code: None,
            },
        ),
    ];
    for (status, header, body, expected) in cases {
        fake.lock().unwrap().answer = Some((status, header, body.to_owned()));
        let err = c.upload(&empty_upload()).await.unwrap_err();
        assert_eq!(err, expected, "status {status}");
        let err = c.changes(0, 10).await.unwrap_err();
        assert_eq!(err, expected, "status {status} on /v1/changes");
    }
}

#[tokio::test]
async fn an_answer_that_is_not_the_expected_json_is_a_protocol_error() {
    let (base, fake) = serve().await;
    fake.lock().unwrap().answer = Some((200, None, "<html>captive portal</html>".into()));
    let err = client(&base).upload(&empty_upload()).await.unwrap_err();
    assert!(matches!(err, SyncError::Protocol(_)), "{err:?}");
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn a_refused_connection_and_a_slow_server_are_network_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = client(&format!("http://{addr}"))
        .upload(&empty_upload())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Network(_)), "{err:?}");
    assert!(!err.is_permanent());

    let (base, fake) = serve().await;
    fake.lock().unwrap().delay = Some(Duration::from_secs(3));
    let err = client(&base).upload(&empty_upload()).await.unwrap_err();
    match &err {
        SyncError::Network(text) => assert!(text.contains("timed out"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert!(
        !err.to_string().contains("00112233"),
        "no secret in the words"
    );
}

#[tokio::test]
async fn a_change_that_does_not_decode_is_skipped_and_the_rest_of_the_page_kept() {
    let (base, fake) = serve().await;
    let page = serde_json::json!({
        "changes": [
            {"seq": 7, "change": {"type": "purpose", "id": "measurement", "required": true, "label_ja": "測定", "label_en": "measurement"}},
            {"seq": 8, "change": {"type": "participant", "participant": "A-1", "birth_date": "1950-04-01", "sex": "female", "height_tenths_cm": -5, "body_type": 0, "implanted_device": false, "status": "active"}},
            {"seq": 9, "change": {"type": "hologram", "x": 1}},
            {"seq": 10, "change": {"type": "staff", "login": "sato", "display_name": "佐藤", "role": "staff", "password_hash": "$argon2id$x", "active": true}}
        ],
        "next_cursor": 10,
        "more": true
    });
    fake.lock().unwrap().answer = Some((200, None, page.to_string()));
    let pulled = client(&base).changes(6, 4).await.unwrap();
    assert_eq!(pulled.undecodable, 2);
    let seqs: Vec<u64> = pulled.page.changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, vec![7, 10]);
    assert_eq!((pulled.page.next_cursor, pulled.page.more), (10, true));
    let q = fake.lock().unwrap().queries.remove(0);
    assert_eq!((q["since"].as_str(), q["limit"].as_str()), ("6", "4"));
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it() {
    let (base, fake) = serve().await;
    // The fake serves at the root; a base path would 404 → Rejected, proving the path is used.
    let err = client(&format!("{base}/prefix"))
        .changes(0, 1)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SyncError::Rejected {
            status: 404,
            code: None
        }
    );
    assert!(fake.lock().unwrap().queries.is_empty());
    client(&format!("{base}/")).changes(0, 1).await.unwrap();
    assert_eq!(fake.lock().unwrap().queries.len(), 1);
}

#[tokio::test]
async fn the_worker_halves_its_batch_after_a_413_and_restores_it_after_a_success() {
    use hakaru_station::store::testing::seeded;
    use hakaru_station::store::StoreConfig;
    use hakaru_station::sync::{Backoff, SyncState, SyncWorker, UploadStep, WorkerSettings};
    let (base, fake) = serve().await;
    fake.lock().unwrap().max_events = Some(2);
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(dir.path());
    let kiosk = seeded(&cfg, 7).unwrap();
    assert_eq!(kiosk.pending_events().unwrap(), 7);
    let settings = WorkerSettings {
        batch_size: 8,
        changes_limit: 10,
        poll_interval: Duration::from_secs(1),
        backoff: Backoff::new(Duration::from_millis(1), Duration::from_millis(2), || 0.0),
    };
    let mut worker = SyncWorker::new(
        hakaru_station::store::Store::open(&cfg).unwrap(),
        client(&base),
        settings,
        hakaru_station::SystemClock,
    )
    .unwrap();
    assert_eq!(worker.upload_step().await.unwrap_err(), SyncError::TooLarge);
    assert_eq!(worker.status().state, SyncState::Offline);
    assert_eq!(worker.upload_step().await.unwrap_err(), SyncError::TooLarge);
    assert_eq!(
        worker.upload_step().await.unwrap(),
        UploadStep::Sent {
            events: 2,
            acked: 2,
            held: 0
        }
    );
    assert_eq!(worker.status().state, SyncState::Online);
    // After the success the full size is tried again (and refused again: the server is tiny).
    assert_eq!(worker.upload_step().await.unwrap_err(), SyncError::TooLarge);
    assert_eq!(fake.lock().unwrap().sizes, vec![7, 4, 2, 5]);
    assert_eq!(kiosk.pending_events().unwrap(), 5);
}
