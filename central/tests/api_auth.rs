//! Bearer authentication: every way a credential can be wrong gets the same 401 with
//! `WWW-Authenticate: Bearer` and the same words, and nothing is written.
#![allow(clippy::unwrap_used)]

mod common;

use common::{api_error, consent_event, spawn_app};
use hakaru_central::auth::Credential;
use hakaru_wire::api::UploadRequest;

fn batch(app: &common::TestApp) -> UploadRequest {
    UploadRequest {
        events: vec![consent_event(&app.a.station, 1, "A-0001")],
        backlog_after: 0,
        last_error: None,
    }
}

#[tokio::test]
async fn health_needs_no_credential_and_readiness_pings_the_database() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body: hakaru_wire::api::Health = r.json().await.unwrap();
        assert_eq!(body.status, "ok");
    }
}

#[tokio::test]
async fn every_bad_credential_gets_the_same_401_and_nothing_is_written() {
    let app = spawn_app().await;
    app.put_participant(&app.a.program, "A-0001").await;
    let good = Credential::parse(&app.a.token).unwrap();
    let secret = app.a.token.rsplit('.').next().unwrap().to_owned();
    let other = Credential::generate().unwrap();
    let wrong_secret = format!(
        "hk1.{}.{}",
        good.id(),
        other.token().rsplit('.').next().unwrap()
    );
    let unknown_id = format!("hk1.{}.{secret}", other.id());

    // (label, Authorization header value or none)
    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("not bearer", Some(format!("Basic {}", app.a.token))),
        ("malformed", Some("Bearer hk1.nope".into())),
        ("unknown id", Some(format!("Bearer {unknown_id}"))),
        ("wrong secret", Some(format!("Bearer {wrong_secret}"))),
    ];
    let mut messages = Vec::new();
    for (label, header) in &cases {
        for (method, path) in [
            ("POST", "/v1/events"),
            ("GET", "/v1/changes"),
            ("GET", "/v1/participants/A-0001/points"),
        ] {
            let mut req = if method == "POST" {
                app.client.post(app.url(path)).json(&batch(&app))
            } else {
                app.client.get(app.url(path))
            };
            if let Some(h) = header {
                req = req.header("authorization", h);
            }
            let (headers, body) = api_error(req.send().await.unwrap(), 401).await;
            assert_eq!(headers["www-authenticate"], "Bearer", "{label} {path}");
            assert_eq!(body.code, "credential_refused", "{label} {path}");
            messages.push(body.message);
        }
    }
    // Revoked: the right secret, but revoked.
    app.storage
        .revoke_credential(&app.a.credential, common::NOW)
        .await
        .unwrap();
    let r = app.post_as(&app.a, "/v1/events", &batch(&app)).await;
    let (_, body) = api_error(r, 401).await;
    messages.push(body.message);

    messages.dedup();
    assert_eq!(
        messages.len(),
        1,
        "one message for every refusal: {messages:?}"
    );
    assert!(messages[0].contains("管理者") && messages[0].contains("administrator"));

    let status = app.status_of(&app.a).await;
    assert_eq!(status.events_received, 0, "nothing stored");
    assert_eq!(
        status.last_seen, None,
        "a refused request does not count as seen"
    );
}

#[tokio::test]
async fn a_good_credential_is_accepted_and_marks_the_station_seen() {
    let app = spawn_app().await;
    let r = app.get_as(&app.a, "/v1/changes?since=0").await;
    assert_eq!(r.status(), 200);
    let status = app.status_of(&app.a).await;
    assert_eq!(status.last_seen, Some(common::NOW));
}
