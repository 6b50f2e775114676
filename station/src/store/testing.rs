//! Fixtures shared by the store's tests, the crash-recorder binary and the benches: verified
//! analyzer frames (reference/scale-protocols.md §6) and a store seeded with one enrolled
//! station, a roster and consents. Not part of the API; hidden from the docs.

use super::{new_id, Store, StoreConfig, StoreError};
use crate::domain::{
    BodyType, ConsentDecision, ConsentMethod, Date, ParticipantNumber, Profile, PurposeId, Sex,
    StationId,
};
use hakaru_devices::scale::{Reading, TanitaFrame};
use hakaru_wire::{ConsentAction, Timestamp};

/// F1: MC-780A body-composition frame with impedances and phase angles.
pub const F1: &[u8] =
    b"{0,16,~0,1,~1,1,~2,1,MO,\"MC-780\",ID,\"0000000000000000\",St,0,CC,\"00000000000\
    00000\",DT,\"2026/06/03\",TI,\"15:00\",Bt,5,GE,1,AG,47,Hm,175.5,Pt,0.0,Wk,67.6,F\
    W,18.3,fW,12.4,MW,55.2,mW,52.3,sW,0,bW,2.9,wW,38.2,ww,56.5,MI,21.9,Sf,18.0,IF,9,\
    LP,102,rB,1514,rJ,11,BA,0,BF,0,Ap,55,gF,0,gW,0.0,gf,0.0,gt,0.0,FR,16.3,fR,2.1,MR\
    ,10.9,mR,10.3,SR,-1,sR,0,FL,16.9,fL,2.2,ML,10.8,mL,10.2,SL,0,sL,0,Fr,13.9,fr,0.5\
    ,Mr,2.9,mr,2.7,Sr,0,sr,0,Fl,15.4,fl,0.5,Ml,2.8,ml,2.6,Sl,0,sl,-1,FT,20.3,fT,7.1,\
    MT,27.8,mT,26.5,ST,0,sT,-2,aH,0.0,cH,0.0,GH,665.2,HH,-29.2,RH,586.1,XH,-61.5,JH,\
    523.8,KH,-54.6,LH,0.0,QH,0.0,iH,0.0,jH,0.0,aR,0.0,cR,0.0,GR,256.1,HR,-10.8,RR,22\
    5.8,XR,-22.0,JR,205.1,KR,-16.4,LR,0.0,QR,0.0,iR,0.0,jR,0.0,aL,0.0,cL,0.0,GL,270.\
    1,HL,-12.4,RL,236.4,XL,-23.9,JL,213.9,KL,-17.6,LL,0.0,QL,0.0,iL,0.0,jL,0.0,ar,0.\
    0,cr,0.0,Gr,360.1,Hr,-14.6,Rr,317.2,Xr,-36.6,Jr,277.0,Kr,-38.1,Lr,0.0,Qr,0.0,ir,\
    0.0,jr,0.0,al,0.0,cl,0.0,Gl,368.6,Hl,-15.0,Rl,326.0,Xl,-35.3,Jl,287.4,Kl,-35.6,L\
    l,0.0,Ql,0.0,il,0.0,jl,0.0,aF,0.0,cF,0.0,GF,529.4,HF,-24.6,RF,464.9,XF,-47.3,JF,\
    418.8,KF,-36.0,LF,0.0,QF,0.0,iF,0.0,jF,0.0,aM,0.0,cM,0.0,GM,643.8,HM,-28.3,RM,56\
    5.9,XM,-61.0,JM,504.4,KM,-56.4,LM,0.0,QM,0.0,iM,0.0,jM,0.0,pH,-6.0,pR,-5.6,pL,-5\
    .8,pr,-6.6,pl,-6.2,pF,-5.8,pM,-6.2,mh,16.98,mb,0.77,ah,8.38,ab,0.38,AS,25.8,CS,2\
    4";

/// F2: MC-780A scale mode (weight only).
pub const F2: &[u8] =
    b"{0,16,~0,1,MO,\"MC-780\",ID,\"0000000000000000\",DT,\"2026/06/03\",TI,\"15:22\",\
    Pt,0.0,Wk,67.8,CS,57";

/// F5: SC-240 with serial number and one impedance (`ZF`).
pub const F5: &[u8] =
    b"{0,16,~0,1,~1,1,~2,1,MO,\"SC-240\",SN,\"00000002\",Bt,0,GE,1,AG,30,Hm,170,Pt,0.0\
    ,Wk,82.7,FW,18.6,fW,15.4,MW,67.3,mW,64.0,sW,19,bW,3.3,wW,48.0,ww,58.0,MI,28.6,Sw\
    ,63.6,OV,30.0,IF,6,rb,8255,rB,1973,rJ,12,rA,28,ZF,369.4,CS,FD";

/// Decodes a fixture frame.
pub fn reading(frame: &[u8]) -> Reading {
    let f = TanitaFrame::parse(frame).expect("fixture frames are verified");
    Reading::from_frame(f).expect("fixture frames decode")
}

/// 2026-06-03T06:00:00Z.
pub const T0: Timestamp = Timestamp::from_unix_ms(1_780_466_400_000);

/// The station id the fixtures enroll.
pub fn station() -> StationId {
    StationId::new("kita-community-01").expect("valid")
}

/// A participant number `P-` + six digits.
pub fn participant(i: u32) -> ParticipantNumber {
    ParticipantNumber::new(&format!("P-{i:06}")).expect("valid")
}

/// A plausible profile; `implanted` sets the implanted-device flag.
pub fn profile(implanted: bool) -> Profile {
    Profile {
        birth_date: Date {
            year: 1958,
            month: 6,
            day: 15,
        },
        sex: Sex::Male,
        height_tenths_cm: 1755,
        body_type: BodyType::Standard,
        implanted_device: implanted,
    }
}

/// A consent to everything, on screen.
pub fn consent_all() -> ConsentDecision {
    ConsentDecision {
        document_hashes: vec![super::roster::content_hash("terms v1")],
        granted: vec![PurposeId("service".into())],
        refused: vec![],
        method: ConsentMethod::OnScreen,
    }
}

/// Opens (or creates) a store, enrolls the station if needed and makes sure participants
/// `0..participants` exist (participant 1 has an implanted device) with consent given.
pub fn seeded(config: &StoreConfig, participants: u32) -> Result<Store, StoreError> {
    let mut store = Store::open(config)?;
    if store.station_id().is_none() {
        store.enroll(&station(), T0)?;
    }
    for i in 0..participants {
        let p = participant(i);
        if store.participant(&p)?.is_none() {
            store.upsert_participants(&[(p.clone(), profile(i == 1))], T0)?;
        }
        let has = store.latest_consent(&p)?.map(|c| c.action) == Some(ConsentAction::Given);
        if !has {
            store.record_consent(&p, ConsentAction::Given, &consent_all(), T0)?;
        }
    }
    Ok(store)
}

/// Bulk-inserts synthetic measurements straight into the table (no outbox, no audit) for the
/// history benchmark's 1,000,000-row fixture: `per_participant` readings for each of
/// participants `0..participants`, one minute apart. One transaction.
pub fn fill_history(
    store: &mut Store,
    participants: u32,
    per_participant: u32,
    values_json: &str,
) -> Result<(), StoreError> {
    let station = station();
    let tx = store.conn.transaction()?;
    {
        let mut roster = tx.prepare(
            "INSERT INTO participants (number, birth_date, sex, height_tenths_cm, body_type, implanted_device, updated_at)
             VALUES (?1, '1958-06-15', 1, 1755, 0, 0, ?2) ON CONFLICT DO NOTHING",
        )?;
        for i in 0..participants {
            roster.execute(rusqlite::params![participant(i).as_str(), T0.as_unix_ms()])?;
        }
        let mut stmt = tx.prepare(
            "INSERT INTO measurements (id, participant, station, analyzer_model, analyzer_serial,
                 taken_at, weight_only, reading_json, raw_frame, raw_frame_dropped)
             VALUES (?1, ?2, ?3, 'MC-780', NULL, ?4, 0, ?5, NULL, 0)",
        )?;
        for k in 0..per_participant {
            for i in 0..participants {
                let at = Timestamp::from_unix_ms(
                    T0.as_unix_ms()
                        + (i64::from(k) * i64::from(participants) + i64::from(i)) * 60_000,
                );
                stmt.execute(rusqlite::params![
                    new_id(at).to_string(),
                    participant(i).as_str(),
                    station.as_str(),
                    at.as_unix_ms(),
                    values_json
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Measurement rows in the store.
pub fn measurement_count(store: &Store) -> Result<u64, StoreError> {
    Ok(store
        .conn
        .query_row("SELECT count(*) FROM measurements", [], |r| {
            r.get::<_, i64>(0)
        })? as u64)
}
