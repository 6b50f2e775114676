//! Rights requests (開示・訂正・削除・利用停止・同意撤回): the request ledger with its due dates, and what carrying one out writes — the storage side, implemented by every backend.
//!
//! Every write here is one transaction with its audit row. A request stays listed after its
//! participant was erased (the ledger names the number only; nothing links it to a roster row).
//!
//! Deliberately not here: SQL (the backends' `rights` modules), the date arithmetic and the
//! disclosure's printed form (`crate::rights`).

use super::audit::Actor;
use super::StorageError;
use crate::ids::{ProgramId, StationId};
use crate::rights::dates::{self, Date};
use crate::rights::disclosure::Disclosure;
use hakaru_wire::{Sex, Timestamp};
use std::fmt;
use uuid::Uuid;

/// What the participant asked for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// 開示: everything held about them.
    Disclosure,
    /// 訂正: a profile field is wrong.
    Correction,
    /// 消去: delete their data.
    Deletion,
    /// 利用停止: stop using their data.
    StopUse,
    /// 同意の撤回: withdraw consent.
    Withdrawal,
}

impl RequestKind {
    /// Every kind, in the order the help lists them.
    pub const ALL: [RequestKind; 5] = [
        RequestKind::Disclosure,
        RequestKind::Correction,
        RequestKind::Deletion,
        RequestKind::StopUse,
        RequestKind::Withdrawal,
    ];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            RequestKind::Disclosure => "disclosure",
            RequestKind::Correction => "correction",
            RequestKind::Deletion => "deletion",
            RequestKind::StopUse => "stop_use",
            RequestKind::Withdrawal => "withdrawal",
        }
    }

    /// Its name in Japanese.
    pub fn name_ja(self) -> &'static str {
        match self {
            RequestKind::Disclosure => "開示",
            RequestKind::Correction => "訂正",
            RequestKind::Deletion => "消去",
            RequestKind::StopUse => "利用停止",
            RequestKind::Withdrawal => "同意の撤回",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// How a request was decided.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done as asked.
    Granted,
    /// Done in part (the note says which part and why not the rest).
    PartlyGranted,
    /// Refused (the note gives the legal ground).
    Refused,
}

impl Outcome {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::PartlyGranted => "partly_granted",
            Outcome::Refused => "refused",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<Outcome> {
        [Outcome::Granted, Outcome::PartlyGranted, Outcome::Refused]
            .into_iter()
            .find(|o| o.name() == name)
    }
}

/// A request as received.
#[derive(Clone, PartialEq, Eq)]
pub struct NewRightsRequest {
    /// The program it is addressed to.
    pub program: ProgramId,
    /// Pseudonymous participant number.
    pub participant: String,
    /// What they asked for.
    pub kind: RequestKind,
    /// The day it was received (Japan time).
    pub received: Date,
    /// How the requester's identity was checked (e.g. "マイナンバーカード 窓口確認").
    pub identity_check: String,
}

impl fmt::Debug for NewRightsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewRightsRequest")
            .field("program", &self.program)
            .field("participant", &format_args!("<redacted>"))
            .field("kind", &self.kind)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

/// The one extension of a request's answer period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Extension {
    /// Days added (1 to 30).
    pub days: u32,
    /// Why (told to the requester).
    pub reason: String,
}

/// The decision on a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionRecord {
    /// Granted, partly granted or refused.
    pub outcome: Outcome,
    /// What was done, or the ground for refusing.
    pub note: String,
    /// When it was decided.
    pub decided_at: Timestamp,
}

/// What carrying a request out wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CarriedOut {
    /// When.
    pub at: Timestamp,
    /// The change-feed position stations must pass to have applied it (none: nothing to send).
    pub change_seq: Option<u64>,
}

/// A request in the ledger.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RightsRequest {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// The program.
    pub program: String,
    /// Pseudonymous participant number.
    pub participant: String,
    /// What was asked for.
    pub kind: RequestKind,
    /// Received on (`YYYY-MM-DD`, Japan time).
    pub received: String,
    /// How identity was checked.
    pub identity_check: String,
    /// Answer due by (`YYYY-MM-DD`, the extension included).
    pub due: String,
    /// The extension, if the period was extended.
    pub extension: Option<Extension>,
    /// The decision, once decided (open until then).
    pub decision: Option<DecisionRecord>,
    /// What carrying it out wrote, once carried out.
    pub carried_out: Option<CarriedOut>,
    /// When it was entered in the ledger.
    pub opened_at: Timestamp,
}

impl fmt::Debug for RightsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RightsRequest")
            .field("id", &self.id)
            .field("participant", &format_args!("<redacted>"))
            .field("kind", &self.kind)
            .field("due", &self.due)
            .field("decision", &self.decision.as_ref().map(|d| d.outcome))
            .finish_non_exhaustive()
    }
}

impl RightsRequest {
    /// Whether it is still open after its due date, as of `today` (Japan time).
    pub fn overdue(&self, today: Date) -> bool {
        self.decision.is_none() && Date::parse(&self.due).is_ok_and(|due| today > due)
    }
}

/// New values for profile fields; `None` leaves a field as it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProfileCorrection {
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Height in tenths of a centimetre.
    pub height_tenths_cm: Option<u16>,
    /// Body type code.
    pub body_type: Option<u8>,
    /// Implanted electronic device.
    pub implanted_device: Option<bool>,
}

impl fmt::Debug for ProfileCorrection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileCorrection")
            .field("fields", &self.fields())
            .finish_non_exhaustive()
    }
}

impl ProfileCorrection {
    /// The names of the fields it changes.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.birth_date.is_some() {
            out.push("birth_date");
        }
        if self.sex.is_some() {
            out.push("sex");
        }
        if self.height_tenths_cm.is_some() {
            out.push("height_tenths_cm");
        }
        if self.body_type.is_some() {
            out.push("body_type");
        }
        if self.implanted_device.is_some() {
            out.push("implanted_device");
        }
        out
    }

    /// `entry` with the corrections applied, and each changed field as (name, old, new) text.
    pub fn apply(
        &self,
        entry: &hakaru_wire::api::RosterEntry,
    ) -> Result<(hakaru_wire::api::RosterEntry, Vec<FieldChange>), StorageError> {
        if self.fields().is_empty() {
            return Err(StorageError::Invalid(
                "訂正する項目を 1 つ以上指定してください / name at least one field to correct"
                    .into(),
            ));
        }
        let mut next = entry.clone();
        let mut changes = Vec::new();
        let mut note = |field: &'static str, old: String, new: String| {
            changes.push(FieldChange { field, old, new });
        };
        if let Some(b) = &self.birth_date {
            if Date::parse(b).is_err() {
                return Err(StorageError::Invalid(dates::BadDate(b.clone()).to_string()));
            }
            note("birth_date", entry.birth_date.clone(), b.clone());
            next.birth_date = b.clone();
        }
        if let Some(s) = self.sex {
            note("sex", sex_name(entry.sex).into(), sex_name(s).into());
            next.sex = s;
        }
        if let Some(h) = self.height_tenths_cm {
            note(
                "height_tenths_cm",
                entry.height_tenths_cm.to_string(),
                h.to_string(),
            );
            next.height_tenths_cm = h;
        }
        if let Some(t) = self.body_type {
            note("body_type", entry.body_type.to_string(), t.to_string());
            next.body_type = t;
        }
        if let Some(d) = self.implanted_device {
            note(
                "implanted_device",
                entry.implanted_device.to_string(),
                d.to_string(),
            );
            next.implanted_device = d;
        }
        Ok((next, changes))
    }
}

fn sex_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

/// One corrected field: the old value is kept here (in `rights_corrections`), never in the
/// audit log, which names the field and the correction only.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name.
    pub field: &'static str,
    /// The value before.
    pub old: String,
    /// The value after.
    pub new: String,
}

impl fmt::Debug for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldChange")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// A stored correction (for the disclosure and for a later look at what was wrong).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CorrectionRecord {
    /// The correction's id (the audit row names it).
    pub id: Uuid,
    /// The request it carried out.
    pub request: Uuid,
    /// The field.
    pub field: String,
    /// The value before.
    pub old: String,
    /// The value after.
    pub new: String,
    /// When.
    pub at: Timestamp,
}

impl fmt::Debug for CorrectionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorrectionRecord")
            .field("id", &self.id)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// What carrying out a request does; must match the request's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarryOut {
    /// Consent withdrawn: a `withdrawn` consent row, status `withdrawn`, a roster change.
    Withdrawal,
    /// Use stopped: status `stopped`, a roster change.
    StopUse,
    /// Profile fields corrected: new values stored (old ones kept apart), a roster change.
    Correction(ProfileCorrection),
    /// Erased everywhere: readings, consents, cards, points, event payloads and older feed
    /// bodies; a removal change; the ledgers stay.
    Deletion,
}

impl CarryOut {
    /// The request kind it carries out.
    pub fn kind(&self) -> RequestKind {
        match self {
            CarryOut::Withdrawal => RequestKind::Withdrawal,
            CarryOut::StopUse => RequestKind::StopUse,
            CarryOut::Correction(_) => RequestKind::Correction,
            CarryOut::Deletion => RequestKind::Deletion,
        }
    }
}

/// Whether one station has applied a carried-out request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StationConfirmation {
    /// The station.
    #[schema(value_type = String)]
    pub station: StationId,
    /// The highest `since` it has pulled the change feed with (none: never pulled).
    pub last_since: Option<u64>,
    /// When it last pulled.
    pub last_pull_at: Option<Timestamp>,
    /// Its pull after the change passed the change's position: it has applied it.
    pub confirmed: bool,
}

/// A stored operator token, as the API's extractor needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorTokenRecord {
    /// Public id.
    pub id: String,
    /// The program whose office it serves.
    pub program: ProgramId,
    /// What it is for (e.g. "北区窓口").
    pub label: String,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

impl fmt::Debug for OperatorTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperatorTokenRecord")
            .field("id", &self.id)
            .field("program", &self.program)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// The refusal of an unknown request.
pub fn no_request(id: Uuid) -> StorageError {
    StorageError::NotFound {
        what: "rights request",
        id: id.to_string(),
    }
}

/// Checks a request may be extended (`days`, `reason`), and returns its new due date.
pub fn check_extension(
    request: &RightsRequest,
    days: u32,
    reason: &str,
) -> Result<Date, StorageError> {
    if request.extension.is_some() {
        return Err(StorageError::Invalid(
            "期限の延長は 1 回だけです / the period can be extended only once".into(),
        ));
    }
    if request.decision.is_some() {
        return Err(StorageError::Invalid(
            "決定済みの請求は延長できません / a decided request cannot be extended".into(),
        ));
    }
    if !dates::extension_allowed(i64::from(days)) {
        return Err(StorageError::Invalid(format!(
            "延長は 1〜{} 日です / an extension is 1 to {} days",
            dates::MAX_EXTENSION_DAYS,
            dates::MAX_EXTENSION_DAYS
        )));
    }
    if reason.trim().is_empty() {
        return Err(StorageError::Invalid(
            "延長の理由を書いてください（本人に通知します） / give the reason for the extension (the requester is told)".into(),
        ));
    }
    let due = Date::parse(&request.due).map_err(|e| StorageError::Backend(e.to_string()))?;
    Ok(due.plus_days(i64::from(days)))
}

/// Checks a request may be decided with this outcome and note.
pub fn check_decision(
    request: &RightsRequest,
    outcome: Outcome,
    note: &str,
) -> Result<(), StorageError> {
    if request.decision.is_some() {
        return Err(StorageError::Invalid(
            "この請求は決定済みです / this request is already decided".into(),
        ));
    }
    if outcome != Outcome::Granted && note.trim().is_empty() {
        return Err(StorageError::Invalid(
            "一部認容・不認容には理由（根拠）を書いてください / a partial grant or a refusal needs its ground in the note".into(),
        ));
    }
    Ok(())
}

/// Checks a request may be carried out by `action`.
pub fn check_carry_out(request: &RightsRequest, action: &CarryOut) -> Result<(), StorageError> {
    if request.kind != action.kind() {
        return Err(StorageError::Invalid(format!(
            "この請求は「{}」です。「{}」は実行できません / this is a {} request, not {}",
            request.kind.name_ja(),
            action.kind().name_ja(),
            request.kind.name(),
            action.kind().name()
        )));
    }
    if request.carried_out.is_some() {
        return Err(StorageError::Invalid(
            "この請求は実行済みです / this request was carried out already".into(),
        ));
    }
    if request.decision.as_ref().map(|d| d.outcome) == Some(Outcome::Refused) {
        return Err(StorageError::Invalid(
            "不認容の請求は実行できません / a refused request cannot be carried out".into(),
        ));
    }
    Ok(())
}

/// Checks a new request's fields.
pub fn check_new(request: &NewRightsRequest) -> Result<(), StorageError> {
    if request.participant.trim().is_empty() {
        return Err(StorageError::Invalid(
            "参加者番号を指定してください / give the participant number".into(),
        ));
    }
    if request.identity_check.trim().is_empty() {
        return Err(StorageError::Invalid(
            "本人確認の方法を書いてください / say how the requester's identity was checked".into(),
        ));
    }
    Ok(())
}

/// What every backend provides for this part of the lifecycle.
#[async_trait::async_trait]
pub trait RightsStorage: Send + Sync {
    /// Enters a request in the ledger (due 30 days after it was received); audit `rights_request_opened`.
    async fn open_rights_request(
        &self,
        request: &NewRightsRequest,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError>;

    /// A program's requests (of one participant, when given), oldest first.
    async fn rights_requests(
        &self,
        program: &ProgramId,
        participant: Option<&str>,
    ) -> Result<Vec<RightsRequest>, StorageError>;

    /// One request.
    async fn rights_request(&self, id: Uuid) -> Result<Option<RightsRequest>, StorageError>;

    /// Extends the answer period once, by 1–30 days, with a reason.
    async fn extend_rights_request(
        &self,
        id: Uuid,
        days: u32,
        reason: &str,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError>;

    /// Decides an open request.
    async fn decide_rights_request(
        &self,
        id: Uuid,
        outcome: Outcome,
        note: &str,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError>;

    /// Carries out a withdrawal, stop of use, correction or deletion, in one transaction with
    /// its audit row and its roster change.
    async fn carry_out_rights_request(
        &self,
        id: Uuid,
        action: &CarryOut,
        now: Timestamp,
    ) -> Result<RightsRequest, StorageError>;

    /// Per station of the request's program: whether its pulls since the request was carried
    /// out confirm the change (`since ≥ seq`).
    async fn rights_propagation(&self, id: Uuid) -> Result<Vec<StationConfirmation>, StorageError>;

    /// The corrections stored for a participant, oldest first.
    async fn rights_corrections(
        &self,
        program: &ProgramId,
        participant: &str,
    ) -> Result<Vec<CorrectionRecord>, StorageError>;

    /// Everything held about a participant (a data view: one audit row `participant_disclosed`).
    async fn disclosure(
        &self,
        program: &ProgramId,
        participant: &str,
        now: Timestamp,
    ) -> Result<Disclosure, StorageError>;

    /// Stores a new operator token for a program's office (only the secret's hash).
    async fn add_operator_token(
        &self,
        program: &ProgramId,
        id: &str,
        label: &str,
        secret_hash: &[u8],
        now: Timestamp,
    ) -> Result<(), StorageError>;

    /// Revokes an operator token; later requests with it get 401.
    async fn revoke_operator_token(&self, id: &str, now: Timestamp) -> Result<(), StorageError>;

    /// Looks an operator token up by its public id.
    async fn operator_token(&self, id: &str) -> Result<Option<OperatorTokenRecord>, StorageError>;

    /// The same database, with `actor` named in the audit log for the rights writes made
    /// through the returned handle (an operator using the API).
    fn rights_as(&self, actor: Actor) -> std::sync::Arc<dyn RightsStorage>;
}
