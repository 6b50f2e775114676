// Every word of the staff window, Japanese first and English second in each (staff read both:
// a station may be run by a volunteer who reads only one). Screens never hold literal copy.
// Deliberately not here: the participant window's copy (src/copy/), text that arrives as `Text`.

/** A sentence in both languages. */
export interface T {
  ja: string;
  en: string;
}

const t = (ja: string, en: string): T => ({ ja, en });

/** Both languages: stacked (default, for headings and buttons) or in one line ("ja / en"). */
export function Bi(props: { t: T; inline?: boolean; class?: string }) {
  const { t: text, inline } = props;
  const cls = `st-bi${inline ? " st-bi-inline" : ""}${props.class ? ` ${props.class}` : ""}`;
  return (
    <span class={cls}>
      <span class="st-ja" lang="ja">
        {text.ja}
      </span>
      {inline ? <span class="st-sep"> / </span> : null}
      <span class="st-en" lang="en">
        {text.en}
      </span>
    </span>
  );
}

export const ROLE: Record<string, T> = {
  staff: t("係員", "Staff"),
  technician: t("技術者", "Technician"),
  admin: t("管理者", "Administrator"),
};

export const c = {
  title: t("係員メニュー", "Staff menu"),
  close: t("戻る（閉じる）", "Close"),
  signIn: {
    title: t("係員サインイン", "Staff sign-in"),
    login: t("ID", "Login ID"),
    secret: t("パスワード / PIN", "Password or PIN"),
    submit: t("サインイン", "Sign in"),
    keypad: t("テンキー（PIN 入力）", "Keypad (for a PIN)"),
    backspace: t("1字消す", "Delete"),
    clear: t("全部消す", "Clear"),
    refused: t("IDまたはパスワードが違います。", "The ID or password is wrong."),
    refusedNext: t("入力し直してください。", "Please enter them again."),
    locked: (mins: number | null): T =>
      mins === null
        ? t("失敗が続いたため、しばらくサインインできません。時間をおいてお試しください。", "Too many failed attempts: sign-in is locked for a while. Please try again later.")
        : t(
            `失敗が続いたため、${mins}分間サインインできません。${mins}分後にもう一度お試しください。`,
            `Too many failed attempts: sign-in is locked for ${mins} minute${mins === 1 ? "" : "s"}. Please try again after that.`,
          ),
    signedOut: (reason: string): T =>
      reason === "idle"
        ? t("操作がなかったため、自動的にサインアウトしました。", "You were signed out automatically after a time without activity.")
        : reason === "account_changed"
          ? t("アカウントが変更されたため、サインアウトしました。事務局にご確認ください。", "Signed out: the account was changed. Please check with the program office.")
          : t("サインアウトしました。", "Signed out."),
  },
  header: {
    signOut: t("サインアウト", "Sign out"),
    menu: t("メニュー", "Menu"),
  },
  idle: {
    title: t("まもなく自動的にサインアウトします", "You will be signed out soon"),
    countdown: (s: number): T => t(`あと ${s} 秒`, `${s} s left`),
    continue: t("続ける", "Continue"),
  },
  menu: {
    register: t("受付・登録", "Register"),
    registerHint: t("紙の申込書から参加者を登録します", "Register a participant from the paper application"),
    queue: t("測定の列", "Measuring queue"),
    queueHint: t("並んでいる方を順に測定します", "Measure the people waiting, one after another"),
    registrations: t("登録一覧", "Registrations"),
    registrationsHint: t("今日の登録と、確認待ちの登録", "Today's registrations and those awaiting the server"),
    technician: t("技術者", "Technician"),
    technicianHint: t("体組成計の接続・通信、カード読み取り、同期", "Analyzer connection and traffic, card readers, sync"),
    calibration: t("校正チェック", "Calibration check"),
    calibrationHint: t("基準おもりでの点検と、検定・定期検査の日付", "Reference-weight check and the legal-metrology dates"),
    nothing: t("この役割で使える機能はありません。", "This role has nothing to use here."),
  },
  rules: {
    title: t("適用されているルール", "Rules in force"),
    minAge: (n: number): T => t(`申込日に${n}歳以上`, `${n} or older on the application date`),
    residency: (req: boolean): T =>
      req ? t("市内在住・在勤の方のみ", "Living or working in the area only") : t("居住地の条件なし", "No residency condition"),
    cap: (n: number | null): T =>
      n === null ? t("定員なし", "No enrolment cap") : t(`定員 ${n}人（先着順・サーバーが判定）`, `Cap of ${n} (first come, first served; judged by the server)`),
    oneEach: t("お一人1回の登録（重複はサーバーが判定）", "One registration per person (duplicates judged by the server)"),
    source: (server: boolean): T =>
      server ? t("事務局サーバーから受信したルール", "Rules received from the program's server") : t("初期設定のルール（サーバー未受信）", "Built-in defaults (none received from the server yet)"),
  },
  date: {
    // Both languages in what fits the field: 「例」 and "e.g." share the one example.
    placeholder: "例 e.g. 1952-04-01",
    hint: t("西暦（1952-04-01）か和暦（S27.4.1、昭和27年4月1日）", "Western (1952-04-01) or Japanese era (S27.4.1)"),
    noSuchDay: t("その日付はありません。申込書の年・月・日を確かめて入力し直してください。", "That date does not exist. Check the year, month and day on the form and type it again."),
    unreadable: t("日付として読めません。例 1952-04-01、19520401、S27.4.1 のように入力してください。", "Not read as a date. Type it like 1952-04-01, 19520401 or S27.4.1."),
  },
  form: {
    title: t("受付・登録（紙の申込書から）", "Register from the paper application"),
    participant: t("参加者番号", "Participant number"),
    participantHint: t("申込書に印字された番号（例 A-000123）", "As printed on the application (e.g. A-000123)"),
    birthDate: t("生年月日", "Birth date"),
    sex: t("性別", "Sex"),
    male: t("男性", "Male"),
    female: t("女性", "Female"),
    height: t("身長（cm）", "Height (cm)"),
    heightHint: t("小数1けたまで（例 158.5）", "One decimal at most (e.g. 158.5)"),
    bodyType: t("体型", "Body type"),
    standard: t("標準", "Standard"),
    athletic: t("アスリート", "Athletic"),
    implanted: t("ペースメーカーなど体内に医療機器がありますか", "An implanted medical device (pacemaker etc.)?"),
    implantedYes: t("はい（体重のみ測定）", "Yes (weight only)"),
    local: t("市内在住・在勤", "Lives or works in the area"),
    yes: t("はい", "Yes"),
    no: t("いいえ", "No"),
    appliedOn: t("申込日", "Application date"),
    consent: t("同意の方法", "How consent is given"),
    onScreen: t("画面で（初回測定時に本人が回答）", "On screen (the participant answers at the first measurement)"),
    paper: t("紙（署名済みの同意書を確認）", "Paper (signed form, witnessed by staff)"),
    paperPurposes: t("同意書でチェックされた利用目的", "Purposes ticked on the paper form"),
    required: t("必須", "Required"),
    optional: t("任意", "Optional"),
    missing: t("未入力の項目があります", "Some items are not filled in yet"),
    submit: t("登録する", "Register"),
    again: t("次の申込書", "Next application"),
  },
  ineligible: {
    title: t("登録できませんでした（何も保存していません）", "Not registered (nothing was kept)"),
    reason: (code: string, rules: RulesLike): { what: T; todo: T } => {
      const age = rules?.min_age_years ?? 20;
      switch (code) {
        case "too_young":
          return {
            what: t(`申込日の時点で${age}歳未満です。`, `Under ${age} on the application date.`),
            todo: t("生年月日と申込日を申込書と照らし合わせてください。正しければ参加できません。", "Check the birth date and application date against the form. If they are right, this person cannot join."),
          };
        case "not_local":
          return {
            what: t("市内に住んでいるか、働いている方が対象です。", "Only people who live or work in the area can join."),
            todo: t("申込書の住所・勤務先を確認してください。", "Check the address or workplace on the form."),
          };
        case "already_registered":
          return {
            what: t("この参加者番号は、この端末ですでに登録されています。", "This participant number is already registered at this station."),
            todo: t("登録一覧で確認してください。番号の誤りなら申込書を確認し、事務局に連絡してください。", "Look it up in Registrations. If the number is wrong, check the form and tell the program office."),
          };
        case "bad_participant_number":
          return {
            what: t("参加者番号の形が正しくありません。", "The participant number is not in the right form."),
            todo: t("申込書に印字されたとおりに入力してください（例 A-000123）。", "Type it exactly as printed on the form (e.g. A-000123)."),
          };
        case "bad_birth_date":
          return {
            what: t("生年月日が正しい日付ではありません。", "The birth date is not a valid date."),
            todo: t("西暦の年・月・日を入力し直してください。", "Enter the year (Western calendar), month and day again."),
          };
        case "bad_applied_on":
          return {
            what: t("申込日が正しくありません（未来の日付など）。", "The application date is not valid (a future date, for example)."),
            todo: t("申込書の日付を入力し直してください。", "Enter the date on the form again."),
          };
        case "bad_height":
          return {
            what: t("身長が測定できる範囲にありません。", "The height is outside the range the analyzer accepts."),
            todo: t("cm で、小数1けたまで入力してください（例 158.5）。", "Enter it in cm with at most one decimal (e.g. 158.5)."),
          };
        case "bad_sex":
          return { what: t("性別が選ばれていません。", "No sex is chosen."), todo: t("男性か女性を選んでください。", "Choose male or female.") };
        case "bad_body_type":
          return { what: t("体型が選ばれていません。", "No body type is chosen."), todo: t("標準かアスリートを選んでください。", "Choose standard or athletic.") };
        case "bad_consent":
          return {
            what: t("同意の方法が正しくありません。", "The way consent was given is not valid."),
            todo: t("「画面で」か「紙」を選んでください。", "Choose on screen or paper."),
          };
        case "required_purpose_not_granted":
          return {
            what: t("必須の利用目的に同意がありません。同意がないと測定できません。", "A required purpose is not ticked: without it nobody can be measured."),
            todo: t("本人に確認してください。同意されない場合は参加できません。画面での同意も選べます。", "Ask the participant. Without it they cannot join; consent on screen is also possible."),
          };
        default:
          return {
            what: t(`登録できない理由があります（${code}）。`, `There is a reason it cannot be registered (${code}).`),
            todo: t("事務局に連絡してください。", "Please contact the program office."),
          };
      }
    },
  },
  registered: {
    title: t("登録しました", "Registered"),
    offline: t(
      "オフラインのため未確認です。重複と定員は、通信が戻ったときにサーバーが確認します。確認待ちとして記録しています。",
      "Offline: the server will check duplicates and the cap when the station is back online. Flagged for review.",
    ),
    cardLater: t("カードはサーバーの確認後に印刷できます。", "The card can be printed once the server has accepted it."),
    print: t("カード印刷", "Print card"),
    reprint: t("カード再印刷", "Reprint card"),
    queue: t("列に追加", "Add to queue"),
    measure: t("測定へ", "Measure now"),
    queued: t("列に追加しました", "Added to the queue"),
  },
  state: {
    pending: t("未確認", "Pending"),
    accepted: t("確認済み", "Accepted"),
    conflict: t("重複（要確認）", "Conflict"),
    ineligible: t("対象外", "Ineligible"),
    full: t("定員超過", "Over the cap"),
  } as Record<string, T>,
  stateExplain: {
    pending: t("サーバー未確認（オフライン）。通信が戻ると確認されます。", "Not yet judged by the server (offline); checked when back online."),
    accepted: t("サーバーが受け付けました。", "Accepted by the server."),
    conflict: t(
      "別の端末で同じ番号が登録されています。事務局が確認します。統合はしません。",
      "Registered at another station too: the program office will check; never merged.",
    ),
    ineligible: t("サーバーが対象外と判定しました。事務局にご確認ください。", "The server judged the applicant ineligible. Please check with the program office."),
    full: t("定員に達したため、受け付けられませんでした。事務局にご確認ください。", "Not accepted: the enrolment cap was reached. Please check with the program office."),
  } as Record<string, T>,
  list: {
    title: t("登録一覧", "Registrations"),
    empty: t("この端末の登録はまだありません。", "No registrations at this station yet."),
    at: t("登録日時", "Registered"),
    by: t("担当", "By"),
    consentOnScreen: t("同意: 画面", "Consent: on screen"),
    consentPaper: t("同意: 紙", "Consent: paper"),
    printed: t("カード印刷済み", "Card printed"),
    notPrinted: t("カード未印刷", "Card not printed"),
    measured: t("測定済み", "Measured"),
  },
  print: {
    sent: t("カードを印刷に送りました。", "The card was sent to print."),
    to: t("送り先", "Sent to"),
    dialog: t("印刷ダイアログを開きました。プリンターを選んで印刷してください。", "The print dialog is open: choose the printer and print."),
    again: t("もう一度印刷ダイアログを開く", "Open the print dialog again"),
    done: t("閉じる", "Close"),
  },
  queue: {
    title: t("測定の列", "Measuring queue"),
    empty: t("列に並んでいる方はいません。登録一覧や登録後の画面から追加できます。", "Nobody is waiting. Add people from Registrations or after registering."),
    measure: t("測定", "Measure"),
    remove: t("外す", "Remove"),
    weightOnly: t("体重のみ", "Weight only"),
    waiting: t("待ち", "Waiting"),
    measuring: t("測定中", "Measuring"),
    done: t("済み", "Done"),
  } as Record<string, T>,
  tech: {
    title: t("技術者", "Technician"),
    analyzer: t("体組成計", "Analyzer"),
    port: t("ポート", "Port"),
    model: t("機種（通信方式）", "Model (protocol)"),
    settings: t("通信設定", "Line settings"),
    state: t("状態", "State"),
    connected: t("接続しています", "Connected"),
    disconnected: t("接続していません", "Not connected"),
    identity: t("本体の申告", "Reported by the analyzer"),
    noIdentity: t("まだ受信なし", "None received yet"),
    refreshPorts: t("ポートを再検索", "Find ports again"),
    autodetect: t("自動検出", "Auto-detect"),
    connect: t("接続", "Connect"),
    noPorts: t("シリアルポートが見つかりません。", "No serial ports found."),
    monitor: t("通信モニター", "Traffic monitor"),
    monitorStart: t("表示開始", "Start"),
    monitorStop: t("停止", "Stop"),
    monitorClear: t("消去", "Clear"),
    monitorEmpty: t("「表示開始」で、受信・送信したデータが表示されます。", "Press Start to see the bytes received and sent."),
    monitorCount: (n: number, cap: number): T => t(`${n}行（最新${cap}行まで）`, `${n} lines (latest ${cap} kept)`),
    cardTest: t("カードリーダーのテスト", "Card reader test"),
    cardTestOn: t("テスト開始", "Start test"),
    cardTestOff: t("テスト終了", "End test"),
    cardTestHint: t("テスト中は、カードを読んでも測定は始まりません。", "During the test a card read never starts a session."),
    cardTestWaiting: t("カードをかざしてください…", "Show a card…"),
    sync: t("サーバーとの同期", "Sync with the server"),
    syncState: t("状態", "State"),
    backlog: t("未送信の測定", "Readings not sent"),
    regPending: t("未確認の登録", "Registrations pending"),
    calPending: t("未送信の校正記録", "Calibration records not sent"),
    lastSuccess: t("最後の成功", "Last success"),
    lastError: t("最後のエラー", "Last error"),
    never: t("まだありません", "Not yet"),
    gate: t("測定の可否", "Measurements"),
    gateOpen: t("測定できます", "Participants may measure"),
    checkedAnalyzer: t("点検済みの体組成計", "Checked analyzer"),
    nextDue: t("次の点検期限", "Next check due"),
  },
  via: {
    camera: t("カメラ", "Camera"),
    handheld: t("ハンディ", "Handheld"),
    wedge: t("キーボード型", "Keyboard wedge"),
    demo: t("デモ", "Demo"),
  } as Record<string, T>,
  verdict: (code: string): T => {
    const why: Record<string, T> = {
      card_malformed: t("読み取れない", "unreadable"),
      card_bad_signature: t("署名が正しくない", "bad signature"),
      card_not_ours: t("この事業のカードではない", "not this program's card"),
      card_other_program: t("別の事業のカード", "another program's card"),
      card_revoked: t("無効にされたカード", "revoked"),
      card_expired: t("有効期限切れ", "expired"),
      card_unknown_participant: t("名簿にない参加者", "participant not on the roster"),
      card_no_roster: t("名簿をまだ受信していない", "no roster received yet"),
    };
    if (code === "valid") return t("有効なカード", "A valid card");
    const w = why[code] ?? t(code, code);
    return t(`使えないカード: ${w.ja}（${code}）`, `Not usable: ${w.en} (${code})`);
  },
  syncState: {
    starting: t("接続中", "Starting"),
    online: t("オンライン", "Online"),
    offline: t("オフライン", "Offline"),
    credential_refused: t("認証できません", "Credential refused"),
    stopped: t("停止中（対応が必要）", "Stopped (needs action)"),
    not_configured: t("未設定", "Not configured"),
  } as Record<string, T>,
  gateReason: {
    never_checked: t("まだ点検されていません", "Never checked"),
    check_failed: t("前回の点検が不合格です", "The last check failed"),
    check_overdue: t("点検の期限が過ぎています", "The check is overdue"),
    inspection_overdue: t("定期検査の期限が過ぎています", "The periodic inspection is overdue"),
    analyzer_swapped: t("点検したものと別の体組成計がつながっています", "A different analyzer than the one checked is connected"),
  } as Record<string, T>,
  gateClosed: t("参加者の測定は止まっています。校正チェックで合格すると再開します。", "Participant measurements are stopped until a calibration check passes."),
  cal: {
    title: t("校正チェック", "Calibration check"),
    dates: t("検定・定期検査の日付", "Legal-metrology dates"),
    verifiedOn: t("検定日", "Verified on (検定)"),
    lastInspection: t("前回の定期検査", "Last periodic inspection"),
    inspectionDue: t("次回の定期検査期限", "Next periodic inspection due"),
    saveDates: t("日付を保存", "Save dates"),
    saved: t("保存しました", "Saved"),
    analyzer: t("対象の体組成計", "Analyzer"),
    unknownAnalyzer: t("まだ本体から受信していません", "Not reported by the analyzer yet"),
    start: t("点検を始める", "Start the check"),
    // Not " / " between the weights: that is what parts Japanese from English.
    steps: (kg: string[]): T => t(`基準おもり: ${kg.join("・")} kg`, `Reference weights: ${kg.join(", ")} kg`),
    tolerance: (kg: number): T => t(`許容差 ±${kg.toFixed(2)} kg`, `Tolerance ±${kg.toFixed(2)} kg`),
    put: (kg: number): T =>
      kg === 0
        ? t("台の上に何も載せずに「読み取る」を押してください", "Leave the platform empty, then press Read")
        : t(`${fmt(kg)} kg のおもりを台に載せてから「読み取る」を押してください`, `Put ${fmt(kg)} kg on the platform, then press Read`),
    read: t("読み取る", "Read"),
    reading: t("安定した重さを待っています…", "Waiting for a stable weight…"),
    failedToRead: t("安定した重さが得られませんでした。おもりを確かめて、もう一度「読み取る」を押してください。", "No stable weight came: check the weight and press Read again."),
    cancel: t("中止", "Cancel"),
    nominal: t("基準", "Reference"),
    measured: t("読み取り値", "Reading"),
    deviation: t("差", "Deviation"),
    result: t("判定", "Result"),
    ok: t("許容内", "Within"),
    ng: t("許容外", "Outside"),
    passed: t("合格", "Passed"),
    failed: t("不合格", "Failed"),
    passedNext: (due: string | null): T =>
      t(`合格。参加者の測定ができます。次回の点検期限: ${due ?? "—"}`, `Passed: participants may measure. Next check due: ${due ?? "—"}`),
    failedWhat: t("不合格。参加者の測定は止まったままです。体組成計を点検し、もう一度チェックしてください。", "Failed: participant measurements stay stopped. Check the analyzer and run the check again."),
    again: t("もう一度点検する", "Check again"),
    past: t("過去の点検", "Past checks"),
    noPast: t("まだ点検の記録はありません。", "No checks recorded yet."),
    worst: t("最大の差", "Largest deviation"),
    synced: t("送信済み", "Sent"),
    notSynced: t("未送信", "Not sent"),
  },
  /** The serial number on the analyzer's nameplate (analyzers whose frames do not carry it). */
  serial: {
    label: t("製造番号（本体の銘板）", "Serial number (on the nameplate)"),
    reported: t("体組成計が送った製造番号です。", "As the analyzer reports it."),
    known: t("この端末の記録にある製造番号です。銘板と同じか確かめてください。", "As this station's records know it: check it matches the nameplate."),
    needed: t("体組成計の製造番号を銘板から入力してください", "Type the analyzer's serial number from its nameplate"),
    bad: t("製造番号は英数字と - で入力してください（32文字まで）", "Type the serial number in letters, digits and - (32 at most)"),
  },
  /** Every code a staff command can fail with, worded for staff with what to do next. `cmd` is
   * the command that failed (some codes mean different things per command); `detail` the
   * runtime's. */
  errors: (code: string, cmd = "", detail = ""): T => {
    switch (code) {
      case "not_open":
        return t(
          "係員モードが開いていません。「戻る」を押し、待機画面の左上を3秒押してから、もう一度サインインしてください。",
          "Staff mode is not open: press Close, hold the top-left corner of the attract screen for 3 seconds, then sign in again.",
        );
      case "sign_in_refused":
        return t("IDまたはパスワードが違います。入力し直してください。", "The ID or password is wrong: please enter them again.");
      case "locked":
        return t("失敗が続いたため、しばらくサインインできません。時間をおいてお試しください。", "Too many failed attempts: sign-in is locked for a while. Please try again later.");
      case "not_signed_in":
        return t("サインインしていません。もう一度サインインしてください。", "Not signed in: please sign in again.");
      case "not_allowed":
        return t(
          "この役割ではできない操作です。できる役割（係員・技術者・管理者）のアカウントでサインインし直してください。",
          "Your role may not do this: sign in again with an account whose role may (staff, technician or admin).",
        );
      case "busy":
        if (cmd === "staff_measure")
          return t(
            "参加者画面で測定中の方がいます。その方の測定が終わってから、もう一度「測定」を押してください。",
            "Someone is being measured on the participant screen: press Measure again once their session has ended.",
          );
        if (cmd === "staff_calibration_read_step")
          return t("読み取り中です。重さが安定するまでお待ちください。", "A step is being read: wait for a stable weight.");
        return t("処理中です。少し待ってからもう一度押してください。", "Busy: wait a moment and press again.");
      case "card_not_ready":
        return t(
          "カードはまだ発行されていません。サーバーと同期して「確認済み」になってから印刷してください。",
          "No card issued yet: print it once the registration is accepted by the server (after a sync).",
        );
      case "print_failed":
        return t(
          "印刷できませんでした。プリンターの電源と用紙を確かめて、もう一度印刷してください。続くときは技術者に連絡してください。",
          "Printing failed: check the printer's power and paper and print again. If it keeps failing, call a technician.",
        );
      case "bad_serial":
        return t("製造番号は英数字と - で入力してください（32文字まで）。", "Type the serial number in letters, digits and - (32 at most).");
      case "no_serial":
        return cmd === "staff_calibration_read_step"
          ? t(
              "体組成計の製造番号を銘板から入力してください。入力してから、点検をもう一度始めてください。",
              "Type the analyzer's serial number from its nameplate, then start the check again.",
            )
          : t("体組成計の製造番号を銘板から入力してください。", "Type the analyzer's serial number from its nameplate.");
      case "weigh_timeout":
        return t(
          "安定した重さが届きませんでした。おもりを載せ直し、ケーブルを確かめて、もう一度「読み取る」を押してください。",
          "No stable weight came: put the weight on again, check the cable and press Read again.",
        );
      case "weigh_failed":
        return t(
          "体組成計が計量できませんでした。接続と機種の設定を確かめて、もう一度「読み取る」を押してください。",
          "The analyzer could not weigh: check the connection and the model setting, then press Read again.",
        );
      case "no_calibration":
        return t("点検が始まっていません。「点検を始める」を押してください。", "No check is running: press Start the check.");
      case "calibration_done":
        return t("すべてのおもりを読み取りました。下の判定を確認してください。", "Every weight has been read: see the result below.");
      case "unknown_model":
        return t("この機種には対応していません。一覧から機種を選んでください。", "This model is not supported: choose one from the list.");
      case "bad_port":
        return t("ポートを一覧から選んでください（/dev/…）。見つからないときは「ポートを再検索」を押してください。", "Choose a port from the list (/dev/…); if it is missing, press Find ports again.");
      case "bad_date": {
        const field = /inspection_due/.test(detail)
          ? t("次回の定期検査期限", "next periodic inspection due")
          : /last_inspection/.test(detail)
            ? t("前回の定期検査", "last periodic inspection")
            : /verified_on/.test(detail)
              ? t("検定日", "verification (検定)")
              : t("日付", "date");
        return t(`${field.ja}の日付が正しくありません。カレンダーから選び直して保存してください。`, `The ${field.en} date is not valid: pick it again and save.`);
      }
      case "unknown_participant":
        return t(
          "この参加者番号は名簿にありません。番号を確かめるか、先に受付・登録をしてください。",
          "This participant number is not on the roster: check the number, or register the person first.",
        );
      case "bad_participant_number":
        return t("参加者番号が正しくありません。申込書に印字されたとおりに入力してください（例 A-000123）。", "The participant number is not valid: type it as printed on the application (e.g. A-000123).");
      case "store_failed":
        return t(
          "端末への記録に失敗しました。もう一度お試しください。続くときは技術者に連絡してください。",
          "Saving on this station failed: please try again. If it keeps failing, call a technician.",
        );
      case "not_running":
        return t(
          "端末のプログラムが応答していません。技術者に連絡してください（端末の再起動が必要なことがあります）。",
          "The station program is not responding: call a technician (the station may need a restart).",
        );
      default:
        return t(`できませんでした（${code}）。もう一度お試しください。続くときは技術者に連絡してください。`, `That did not work (${code}). Please try again; if it goes on, call a technician.`);
    }
  },
};

type RulesLike = { min_age_years: number } | null;

/** A weight in kg as the calibration screen shows it (up to 2 decimals, no trailing zeros). */
export function fmt(kg: number): string {
  return (Math.round(kg * 100) / 100).toString();
}

/** A signed deviation, e.g. `+0.10`, `−0.05`. */
export function signed(kg: number): string {
  const v = Math.round(kg * 100) / 100;
  return `${v < 0 ? "−" : "+"}${Math.abs(v).toFixed(2)}`;
}
