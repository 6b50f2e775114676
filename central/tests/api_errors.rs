//! Every error is an `ApiError` JSON body (bad JSON, wrong types, oversized bodies, bad queries,
//! unknown paths and methods); request ids are echoed; the OpenAPI document lists every route.
#![allow(clippy::unwrap_used)]

mod common;

use common::{api_error, spawn_app};
use std::collections::BTreeSet;

#[tokio::test]
async fn malformed_requests_get_api_error_bodies() {
    let app = spawn_app().await;
    let post = |body: &'static str| {
        app.client
            .post(app.url("/v1/events"))
            .bearer_auth(&app.a.token)
            .header("content-type", "application/json")
            .body(body)
    };
    let (_, e) = api_error(post("{not json").send().await.unwrap(), 400).await;
    assert_eq!(e.code, "malformed_body");
    let (_, e) = api_error(post(r#"{"events": "many"}"#).send().await.unwrap(), 422).await;
    assert_eq!(e.code, "invalid_body");
    let (_, e) = api_error(
        post(r#"{"events": [], "backlog_after": -1}"#)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(e.code, "invalid_body");
    // Past int64 (what the document says) is refused; an integral float is an integer.
    let (_, e) = api_error(
        post(r#"{"events": [], "backlog_after": 9223372036854775808}"#)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(e.code, "invalid_body");
    let r = post(r#"{"events": [], "backlog_after": 13344.0}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.status_of(&app.a).await.backlog, 13344);
    let no_type = app
        .client
        .post(app.url("/v1/events"))
        .bearer_auth(&app.a.token)
        .body(r#"{"events": []}"#)
        .send()
        .await
        .unwrap();
    let (_, e) = api_error(no_type, 415).await;
    assert_eq!(e.code, "unsupported_media_type");

    for (path, status, code) in [
        ("/v1/changes?since=-1", 400, "invalid_query"),
        ("/v1/changes?since=abc", 400, "invalid_query"),
        (
            "/v1/changes?since=9223372036854775808",
            400,
            "invalid_query",
        ),
        ("/v1/changes?limit=1001", 422, "invalid_limit"),
        ("/v1/changes?limit=0", 422, "invalid_limit"),
        (
            "/v1/participants/X/history?limit=100000",
            422,
            "invalid_limit",
        ),
        ("/v1/nothing-here", 404, "no_route"),
    ] {
        let (_, e) = api_error(app.get_as(&app.a, path).await, status).await;
        assert_eq!(e.code, code, "{path}");
    }
    let wrong_method = app
        .client
        .delete(app.url("/v1/events"))
        .send()
        .await
        .unwrap();
    let (headers, e) = api_error(wrong_method, 405).await;
    assert_eq!(e.code, "method_not_allowed");
    assert_eq!(headers["allow"], "POST");
}

#[tokio::test]
async fn an_oversized_body_gets_413_with_an_api_error() {
    let app = spawn_app().await;
    // Valid JSON just over the limit: {"events":[],"last_error":"xxxx…"}
    let mut body = String::from(r#"{"events":[],"last_error":""#);
    body.push_str(&"x".repeat(hakaru_central::api::BODY_LIMIT_BYTES));
    body.push_str(r#""}"#);
    let r = app
        .client
        .post(app.url("/v1/events"))
        .bearer_auth(&app.a.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let (_, e) = api_error(r, 413).await;
    assert_eq!(e.code, "payload_too_large");
    assert_eq!(app.status_of(&app.a).await.events_received, 0);
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "station-req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "station-req-42");
    // Made when absent, also on errors.
    let r = app.client.get(app.url("/v1/changes")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let made = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
    let r2 = app.client.get(app.url("/v1/changes")).send().await.unwrap();
    assert_ne!(r2.headers()["x-request-id"].to_str().unwrap(), made);
}

/// Every route the router serves, as (method, path template).
const ROUTES: [(&str, &str); 12] = [
    ("post", "/v1/events"),
    ("post", "/v1/admin/requests"),
    ("get", "/v1/admin/requests"),
    ("get", "/v1/admin/requests/{id}"),
    ("get", "/v1/admin/participants/{number}/disclosure"),
    ("get", "/v1/changes"),
    ("get", "/v1/participants/{number}/history"),
    ("get", "/v1/participants/{number}/points"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/openapi.json"),
    ("get", "/v1/openapi.json"),
];

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_error_bodies() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v1: serde_json::Value = app
        .client
        .get(app.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc, v1);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["station_token"]["scheme"],
        "bearer"
    );
    // Narrow integers say how narrow they are, so a fuzzer never sends what the server refuses.
    for schema in ["RosterEntry", "ParticipantRegistered"] {
        let props = &doc["components"]["schemas"][schema]["properties"];
        assert_eq!(props["body_type"]["maximum"], 255, "{schema}");
        assert_eq!(props["height_tenths_cm"]["maximum"], 65535, "{schema}");
    }

    // Every reference resolves: the types the wire grew for staff modes (the card in a
    // registration's ack, the registration rules in the change feed) are in the document.
    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs);
    for r in &refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "$ref {r} does not resolve"
        );
    }
    for schema in ["IssuedCard", "RegistrationRules", "Ack", "ChangeKind"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} is missing"
        );
    }

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    for (method, path) in ROUTES {
        let op = &doc["paths"][path][method];
        let responses = op["responses"].as_object().unwrap();
        // The route is really served (not the no-such-path fallback).
        let concrete = path.replace("{number}", "A-0001");
        let req = match method {
            "post" => app
                .client
                .post(app.url(&concrete))
                .json(&serde_json::json!({"events": []})),
            _ => app.client.get(app.url(&concrete)),
        };
        let r = req.bearer_auth(&app.a.token).send().await.unwrap();
        let status = r.status().as_u16().to_string();
        let body = r.text().await.unwrap();
        assert!(
            !body.contains("\"no_route\""),
            "{method} {path} is not served"
        );
        assert!(
            responses.contains_key(&status),
            "{method} {path} answered undocumented {status}"
        );

        if op.get("security").is_some() {
            for code in ["400", "401", "403", "500", "503"] {
                let schema = &responses[code]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ApiError",
                    "{method} {path} {code}"
                );
            }
        }
    }
    for code in ["413", "415", "422"] {
        assert!(
            doc["paths"]["/v1/events"]["post"]["responses"]
                .get(code)
                .is_some(),
            "{code}"
        );
    }
}

/// Every `$ref` in a JSON document.
fn collect_refs(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => {
                        out.insert(r.clone());
                    }
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
