//! HTTPS: a self-signed certificate made by rcgen, a client that trusts it gets 200, a
//! plain-HTTP request to the same port fails, and the server stops on its shutdown future.
#![allow(clippy::unwrap_used)]

mod common;

use hakaru_central::api::{self, AppState};
use hakaru_central::serve::{bind, ServeError, TlsFiles};
use std::sync::Arc;

#[tokio::test]
async fn https_with_a_trusted_certificate_works_and_plain_http_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let files = TlsFiles {
        cert: dir.path().join("central.crt"),
        key: dir.path().join("central.key"),
    };
    std::fs::write(&files.cert, &cert_pem).unwrap();
    std::fs::write(&files.key, certified.signing_key.serialize_pem()).unwrap();

    let storage = common::fresh_storage(&dir).await;
    let bound = bind("127.0.0.1:0".parse().unwrap(), Some(&files))
        .await
        .unwrap();
    assert!(bound.is_tls());
    let addr = bound.local_addr().unwrap();
    let router = api::router(AppState::new(storage, Arc::new(|| common::NOW)));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bound.serve(router, async {
        let _ = rx.await;
    }));

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .resolve("localhost", addr)
        .build()
        .unwrap();
    let r = client
        .get(format!("https://localhost:{}/readyz", addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));

    // A client that does not trust the certificate is refused by its own TLS check.
    let untrusting = reqwest::Client::builder()
        .resolve("localhost", addr)
        .build()
        .unwrap();
    assert!(untrusting
        .get(format!("https://localhost:{}/healthz", addr.port()))
        .send()
        .await
        .is_err());

    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .get(format!("http://{addr}/healthz"))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP must fail: {plain:?}");

    tx.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops on shutdown")
        .unwrap()
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port is closed"
    );
}

#[tokio::test]
async fn a_missing_or_bad_certificate_fails_before_listening_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let files = TlsFiles {
        cert: dir.path().join("nope.crt"),
        key: dir.path().join("nope.key"),
    };
    let e = bind("127.0.0.1:0".parse().unwrap(), Some(&files))
        .await
        .unwrap_err();
    assert!(matches!(e, ServeError::Tls { .. }), "{e}");
    assert!(e.to_string().contains("nope.crt"), "{e}");
    std::fs::write(&files.cert, "not a pem").unwrap();
    let e = bind("127.0.0.1:0".parse().unwrap(), Some(&files))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("PEM"), "{e}");
}
