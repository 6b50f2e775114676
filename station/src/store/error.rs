//! The store's typed errors. Every message a person may see says, in Japanese and then
//! English, what happened and what to do. No message carries a personal value.

use std::path::PathBuf;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The key file can be read by users other than the kiosk user.
    #[error(
        "暗号鍵ファイル {path} の権限が広すぎます（{mode:o}）。キオスク利用者だけが読めるよう `chmod 600 {path}` を実行してください / \
         the key file {path} can be read by other users (mode {mode:o}): run `chmod 600 {path}` so only the kiosk user can read it"
    )]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file exists but does not hold a key.
    #[error(
        "暗号鍵ファイル {path} が壊れています（{len} バイト、32 バイトが必要）。バックアップから鍵ファイルを復元してください / \
         the key file {path} is not a key ({len} bytes, 32 expected): restore the key file from the backup"
    )]
    KeyFileInvalid {
        /// The key file.
        path: PathBuf,
        /// Its length in bytes.
        len: u64,
    },
    /// A store exists but its key file does not; a new key is never made for an existing store.
    #[error(
        "データベース {db} はありますが暗号鍵ファイル {key} がありません。バックアップから鍵ファイルを復元してください（既存のデータベースに新しい鍵は作りません） / \
         the store {db} exists but its key file {key} is missing: restore the key file from the backup (a new key is never made for an existing store)"
    )]
    KeyMissing {
        /// The database file.
        db: PathBuf,
        /// Where the key file was expected.
        key: PathBuf,
    },
    /// The key does not decrypt the database.
    #[error(
        "暗号鍵が一致しません。このデータベース {db} を開けません。このデータベース用の鍵ファイルをバックアップから復元してください / \
         the key does not open this store: restore the key file that belongs to {db} from the backup"
    )]
    WrongKey {
        /// The database file.
        db: PathBuf,
    },
    /// The file was written by a newer version of the software.
    #[error(
        "このデータベースは新しい版のソフトウェアで作られています（スキーマ {found}、この版は {supported} まで）。ソフトウェアを更新してください / \
         the store was written by a newer version of the software (schema {found}, this build knows up to {supported}): update the software"
    )]
    SchemaTooNew {
        /// The file's schema version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A file could not be read or written.
    #[error(
        "ファイル {path} を読み書きできません（{source}）。ディスクの空きと権限を確認してください / \
         cannot read or write {path} ({source}): check free disk space and permissions"
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No platform data directory could be determined.
    #[error(
        "データの保存先フォルダが決められません。保存先を設定で指定してください / \
         no data directory could be determined for this user: give the store path explicitly"
    )]
    NoDataDirectory,
    /// The random number source failed while making a key.
    #[error("乱数を取得できません。再起動してください / the system random source failed ({0}): restart the station")]
    Random(String),
    /// The station has no identity yet.
    #[error(
        "この端末はまだ登録されていません。技術者が端末登録を行ってください / \
         this station has not been enrolled yet: a technician must enroll it"
    )]
    NotEnrolled,
    /// The participant is not (or no longer) an active roster member.
    #[error(
        "参加者が名簿にありません。名簿を同期するか、係員にお問い合わせください / \
         the participant is not in the roster: sync the roster or ask staff"
    )]
    UnknownParticipant,
    /// No consent to the current documents is on record for the participant.
    #[error(
        "同意が記録されていないため測定結果を保存できません。先に同意の手続きをしてください / \
         no consent is on record for this participant, so the reading cannot be stored: record consent first"
    )]
    NoConsent,
    /// A measurement with this id was already recorded.
    #[error(
        "この測定はすでに保存されています（{0}）。同じ測定を二重に保存しません / \
         measurement {0} is already recorded: it is never stored twice"
    )]
    DuplicateMeasurement(uuid::Uuid),
    /// A document's text does not hash to the content hash it claims.
    #[error(
        "文書 {kind} {version} の内容がハッシュ値と一致しません。文書をもう一度同期してください / \
         document {kind} {version} does not match its content hash: sync the documents again"
    )]
    DocumentHashMismatch {
        /// Document kind.
        kind: String,
        /// Version label.
        version: String,
    },
    /// The database reported an error.
    #[error("データベースのエラーです。再起動しても続く場合は技術者に連絡してください / database error ({0}): if it persists after a restart, call a technician")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored JSON could not be read or written.
    #[error("保存データの形式が正しくありません。技術者に連絡してください / stored data has an unexpected shape ({0}): call a technician")]
    Json(#[from] serde_json::Error),
    /// A stored value is not what the schema allows.
    #[error("保存データの値が正しくありません（{0}）。技術者に連絡してください / a stored value is invalid ({0}): call a technician")]
    Corrupt(String),
}

impl StoreError {
    /// Whether trying again later may succeed (the database was busy, the disk hiccuped).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DiskFull
            ),
            StoreError::Io { .. } => true,
            _ => false,
        }
    }
}
