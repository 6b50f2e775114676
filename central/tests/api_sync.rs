//! Uploads and reads through the real server: idempotent acks, refusal of another station's
//! events, program scoping of history, points and the change feed, and change paging.
#![allow(clippy::unwrap_used)]

mod common;

use common::{api_error, consent_event, enroll, measurement_event, spawn_app};
use hakaru_wire::api::{
    AckOutcome, ChangeKind, ChangesPage, History, PointsBalance, UploadRequest, UploadResponse,
};

#[tokio::test]
async fn uploading_a_batch_twice_returns_the_same_acks_and_counts_once() {
    let app = spawn_app().await;
    app.put_participant(&app.a.program, "A-0001").await;
    let batch = UploadRequest {
        events: vec![
            consent_event(&app.a.station, 1, "A-0001"),
            measurement_event(&app.a.station, 2, "A-0001"),
        ],
        backlog_after: 3,
        last_error: None,
    };
    let first = app.post_as(&app.a, "/v1/events", &batch).await;
    assert_eq!(first.status(), 200);
    let first: UploadResponse = first.json().await.unwrap();
    assert_eq!(first.acks.len(), 2);
    assert_eq!(first.acks[0].id, batch.events[0].id);
    assert_eq!(first.acks[1].outcome, AckOutcome::Accepted);
    let award = first.acks[1]
        .points
        .clone()
        .expect("a measurement earns points");
    assert!(award.awarded > 0);

    let second: UploadResponse = app
        .post_as(&app.a, "/v1/events", &batch)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second, first, "replay gives the same acks");

    let points: PointsBalance = app
        .get_as(&app.a, "/v1/participants/A-0001/points")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(points.balance, award.balance, "points were awarded once");
    let history: History = app
        .get_as(&app.a, "/v1/participants/A-0001/history?limit=10")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.measurements.len(), 1);
    assert_eq!(app.status_of(&app.a).await.backlog, 3);
}

#[tokio::test]
async fn a_batch_naming_another_station_is_refused_whole_with_403() {
    let app = spawn_app().await;
    app.put_participant(&app.a.program, "A-0001").await;
    let b = enroll(app.storage.as_ref(), "b").await;
    let batch = UploadRequest {
        events: vec![
            consent_event(&app.a.station, 1, "A-0001"),
            measurement_event(&b.station, 2, "A-0001"),
        ],
        backlog_after: 0,
        last_error: None,
    };
    let (_, body) = api_error(app.post_as(&app.a, "/v1/events", &batch).await, 403).await;
    assert_eq!(body.code, "forbidden");
    assert_eq!(
        app.status_of(&app.a).await.events_received,
        0,
        "nothing stored"
    );
    let held = app.storage.held_events(&app.a.program).await.unwrap();
    assert!(held.is_empty());
    // The first event alone is still new: it was not stored by the refused batch.
    let ok: UploadResponse = app
        .post_as(
            &app.a,
            "/v1/events",
            &UploadRequest {
                events: vec![consent_event(&app.a.station, 1, "A-0001")],
                backlog_after: 0,
                last_error: None,
            },
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok.acks.len(), 1);
    assert_eq!(app.status_of(&app.a).await.events_received, 1);
}

#[tokio::test]
async fn a_station_of_another_program_sees_none_of_program_a() {
    let app = spawn_app().await;
    let b = enroll(app.storage.as_ref(), "b").await;
    app.put_participant(&app.a.program, "A-0001").await;
    app.put_participant(&b.program, "B-0001").await;

    // A sees its own participant.
    assert_eq!(
        app.get_as(&app.a, "/v1/participants/A-0001/points")
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_as(&app.a, "/v1/participants/A-0001/history")
            .await
            .status(),
        200
    );
    // B cannot read A's participant: the same 404 as a number that does not exist.
    for path in [
        "/v1/participants/A-0001/history",
        "/v1/participants/A-0001/points",
    ] {
        let (_, body) = api_error(app.get_as(&b, path).await, 404).await;
        assert_eq!(body.code, "not_found", "{path}");
    }
    let (_, missing) = api_error(app.get_as(&b, "/v1/participants/NOBODY/points").await, 404).await;
    let (_, other) = api_error(app.get_as(&b, "/v1/participants/A-0001/points").await, 404).await;
    assert_eq!(
        missing, other,
        "no way to tell another program's participant from none"
    );

    // B's change feed carries B's participant only.
    let page: ChangesPage = app
        .get_as(&b, "/v1/changes?since=0")
        .await
        .json()
        .await
        .unwrap();
    let numbers: Vec<&str> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            ChangeKind::Participant(p) => Some(p.participant.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(numbers, vec!["B-0001"]);
}

#[tokio::test]
async fn the_change_feed_pages_without_gaps_or_repeats() {
    let app = spawn_app().await;
    for i in 0..7 {
        app.put_participant(&app.a.program, &format!("A-{i:04}"))
            .await;
    }
    let mut since = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page: ChangesPage = app
            .get_as(&app.a, &format!("/v1/changes?since={since}&limit=3"))
            .await
            .json()
            .await
            .unwrap();
        pages += 1;
        assert!(page.changes.len() <= 3);
        for c in &page.changes {
            assert!(c.seq > since, "seq {} after cursor {since}", c.seq);
            if let ChangeKind::Participant(p) = &c.change {
                seen.push(p.participant.clone());
            }
        }
        assert!(page.next_cursor >= since);
        since = page.next_cursor;
        if !page.more {
            break;
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3, "7 changes in pages of 3");
    let expected: Vec<String> = (0..7).map(|i| format!("A-{i:04}")).collect();
    assert_eq!(seen, expected);
    // Nothing new: the same cursor back, no more.
    let empty: ChangesPage = app
        .get_as(&app.a, &format!("/v1/changes?since={since}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(empty.changes.is_empty() && !empty.more);
    assert_eq!(empty.next_cursor, since);
}
