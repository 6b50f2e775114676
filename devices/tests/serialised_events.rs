//! The JSON of decoded events stays byte-for-byte what it was: every fixture (and frames with
//! unknown keys, a duplicate, control pairs and a trailing brace), decoded with `decode_all`,
//! serialised with `serde_json`, compared with `snapshots/decode_all.json` — a snapshot taken
//! before `RawPair`/`RawValue`/`ControlPair` became spans into the frame's bytes.
//!
//! To regenerate after an intended change of the JSON: `HAKARU_WRITE_SNAPSHOT=1 cargo nextest
//! run -p hakaru-devices --test serialised_events` and review the diff.

mod common;

use common::{framed, oracle_checksum, with_checksum, ALL};
use hakaru_devices::scale::{decode_all, DecodeEvent};

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/snapshots/decode_all.json"
);

/// A frame body with the right checksum appended.
fn checked(body: &[u8]) -> Vec<u8> {
    let mut f = body.to_vec();
    f.extend_from_slice(b",CS,00");
    let cs = oracle_checksum(&f);
    with_checksum(&f, cs)
}

fn snapshot_input() -> Vec<(String, Vec<u8>)> {
    let mut inputs: Vec<(String, Vec<u8>)> = ALL
        .iter()
        .map(|(name, frame)| ((*name).to_owned(), framed(frame)))
        .collect();
    inputs.push((
        "unknown_keys_duplicate_brace".to_owned(),
        framed(&{
            let mut f = checked(
                b"{0,16,~0,1,~1,0,~2,\"x\",MO,\"PW-650\",Zz,12.5,Wk,58.1,Qq,\"a b/c\",Wk,58.1,Yy,-3",
            );
            f.push(b'}');
            f
        }),
    ));
    inputs.push((
        "empty_quoted_and_stone_pounds".to_owned(),
        framed(&checked(
            b"{0,16,~0,2,MO,\"\",Ws,10.05.2,Q1,\"\",ID,\"0000012345\"",
        )),
    ));
    inputs.push((
        "rejected_duplicate".to_owned(),
        framed(&checked(b"{0,16,~0,1,Wk,58.1,Wk,58.2")),
    ));
    inputs.push((
        "weight_line_and_reply".to_owned(),
        b"ST,GS,+0065.30kg\r\nM1\r\n@\r\nD3\r\n".to_vec(),
    ));
    inputs
}

#[test]
fn decoded_events_serialise_as_in_the_snapshot() {
    // Straight to text, not through `serde_json::Value` (whose maps would sort the fields).
    let got: Vec<(String, Vec<DecodeEvent>)> = snapshot_input()
        .into_iter()
        .map(|(name, bytes)| {
            let events = decode_all(&bytes);
            (name, events)
        })
        .collect();
    let got = serde_json::to_string_pretty(&got).expect("json") + "\n";
    if std::env::var_os("HAKARU_WRITE_SNAPSHOT").is_some() {
        std::fs::write(SNAPSHOT, &got).expect("write snapshot");
    }
    let want = std::fs::read_to_string(SNAPSHOT).expect("snapshot file");
    assert!(got == want, "JSON differs from {SNAPSHOT}");
}
