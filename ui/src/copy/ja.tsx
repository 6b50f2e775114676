// Japanese copy (the default), with furigana (<ruby>) on the kanji an older reader may stumble
// on. Deliberately not here: English (en.tsx), spoken prompts (src/voice/prompts.json).

import type { ComponentChildren } from "preact";
import type { Copy } from "./types";

/** A word with its reading above it. */
function R(props: { t: string; r: string }) {
  return (
    <ruby>
      {props.t}
      <rp>(</rp>
      <rt>{props.r}</rt>
      <rp>)</rp>
    </ruby>
  );
}

const 体組成計 = () => <R t="体組成計" r="たいそせいけい" />;
const 同意 = () => <R t="同意" r="どうい" />;
const 係員 = () => <R t="係員" r="かかりいん" />;
const 測定 = () => <R t="測定" r="そくてい" />;
const 医療機器 = () => <R t="医療機器" r="いりょうきき" />;
const 参加者番号 = () => <R t="参加者番号" r="さんかしゃばんごう" />;
const 目的 = () => <R t="目的" r="もくてき" />;
const 保存 = () => <R t="保存" r="ほぞん" />;
const 係員をお呼びください = () => <>{係員()}をお呼びください。</>;
const 記録 = () => <R t="記録" r="きろく" />;
const 窓口 = () => <R t="窓口" r="まどぐち" />;
const 申し出 = () => (
  <>
    <R t="申" r="もう" />し<R t="出" r="で" />
  </>
);
const 取り消 = () => (
  <>
    <R t="取" r="と" />り<R t="消" r="け" />
  </>
);
const 利用停止 = () => <R t="利用停止" r="りようていし" />;
const 交換 = () => <R t="交換" r="こうかん" />;
const 点検 = () => <R t="点検" r="てんけん" />;
const 済 = () => <R t="済" r="す" />;
/** What to do next after a withdrawal or stop of use: ask at the desk. */
const 窓口へ = (again: string) => (
  <>
    これまでの{記録()}の<R t="扱" r="あつか" />いや、<R t="再" r="ふたた" />び{again}したいときは、{窓口()}（{係員()}）にお{申し出()}ください。
  </>
);

const VALUE_NAMES: Record<string, ComponentChildren> = {
  weight: "体重",
  bmi: "BMI",
  fat_percent: <R t="体脂肪率" r="たいしぼうりつ" />,
  muscle_mass: <R t="筋肉量" r="きんにくりょう" />,
  visceral_fat: (
    <>
      <R t="内臓脂肪" r="ないぞうしぼう" />
      レベル
    </>
  ),
  bmr: (
    <>
      <R t="基礎代謝" r="きそたいしゃ" />
      量
    </>
  ),
  body_water_percent: <R t="体水分率" r="たいすいぶんりつ" />,
  bone_mass: <R t="推定骨量" r="すいていこつりょう" />,
  metabolic_age: <R t="体内年齢" r="たいないねんれい" />,
};

const BANDS: Record<string, string> = {
  very_low: "とても低い",
  low: "低め",
  slightly_low: "やや低め",
  standard: "標準",
  slightly_high: "やや高め",
  high: "高め",
  very_high: "とても高い",
};

/** Measuring is blocked until a technician checks the analyzer. */
const SCALE_CHECK = () => (
  <>
    {体組成計()}の{点検()}が<R t="必要" r="ひつよう" />です。{係員()}にお<R t="声" r="こえ" />がけください。
  </>
);
const CARD_RETRY = () => <>カードを読み取れませんでした。もう一度かざしてください。</>;
const CARD_REFUSED = () => <>このカードは使えません。{係員()}にお声がけください。</>;

export const ja: Copy = {
  htmlLang: "ja",
  langName: "日本語",
  langToggleLabel: "言語 / Language",
  volume: {
    label: "音量",
    down: "小さく",
    up: "大きく",
    downLabel: "音量を小さく",
    upLabel: "音量を大きく",
  },
  purposeNotice: (
    <>
      画面の情報は、健康ポイント事業の{測定()}と記録のためだけに使います。
    </>
  ),
  stop: "やめる",
  footer: {
    station: "端末",
    scale: (connected, model) => (
      <>
        {体組成計()} {model}: {connected === null ? "確認中" : connected ? "接続しています" : "接続していません"}
      </>
    ),
    sync: (state, backlog) => {
      const words: Record<string, string> = {
        starting: "接続中",
        online: "オンライン",
        offline: "オフライン",
        credential_refused: "認証できません",
        stopped: "停止中(係員に連絡)",
        not_configured: "未設定",
      };
      return (
        <>
          サーバー: {words[state] ?? state}
          {backlog > 0 ? ` (未送信 ${backlog} 件)` : ""}
        </>
      );
    },
  },
  notConfigured: {
    title: (
      <>
        この端末はまだ<R t="設定" r="せってい" />
        されていません
      </>
    ),
    forStaff: <>{係員()}の方へ: 次の内容を確認してください。</>,
    configPath: "設定ファイル",
    problem: "問題",
    whatToDo: "すること",
  },
  attract: {
    title: "カードをかざしてください",
    // <wbr> after 「、」: .lead keeps words whole (keep-all), the break goes there.
    hintCamera: (
      <>
        カメラの前に、
        <wbr />
        カードのQRコードを見せてください。
      </>
    ),
    hintNoCamera: (
      <>
        カードリーダーに、
        <wbr />
        カードをかざしてください。
      </>
    ),
    previewLabel: "カメラの映像 (保存しません)",
    previewWaiting: "カメラを準備しています…",
    cameraLost: (
      <>
        カメラが見つかりません。{係員()}をお呼びください。
      </>
    ),
    demoTitle: "デモ用カード",
    demoHint: "押すと、そのカードを読み取ったことになります。",
    demoSheetTitle: "印刷用カードの場所",
    demoSheetFile: "ファイル",
    demoSheetFolder: "フォルダー",
    unavailable: (reason) =>
      reason === "staff_in_use"
        ? { title: <>ただいま{係員()}が<R t="操作中" r="そうさちゅう" />です</>, body: "しばらくお待ちください。" }
        : { title: <>ただいま{測定()}できません</>, body: SCALE_CHECK() },
  },
  participant: 参加者番号(),
  identifying: {
    title: (
      <>
        <R t="確認" r="かくにん" />
        しています
      </>
    ),
    body: "少しお待ちください。",
  },
  consent: {
    title: <>{同意()}のお願い</>,
    reasons: (code) => {
      const words: Record<string, ComponentChildren> = {
        first_time: "はじめてのご利用です。",
        new_version: "説明の内容が新しくなりました。",
        new_purpose: <>情報の使い方({目的()})が増えました。</>,
      };
      return words[code] ?? null;
    },
    intro: <>下の説明をお読みください。枠の中は、指で動かして続きを読めます。</>,
    documentKind: (kind) => {
      const words: Record<string, string> = {
        terms: "利用規約",
        privacy_policy: "個人情報の取り扱い",
        measurement_notice: "測定についての説明",
      };
      return words[kind] ?? kind;
    },
    version: (v) => <>({v} 版)</>,
    purposesTitle: <>使い方ごとに、{同意()}するかどうかをお選びください</>,
    purposesIntro: "一つずつ選べます。はじめは、どれも選ばれていません。",
    required: "必須",
    optional: "任意",
    agree: <>{同意()}する</>,
    disagree: <>{同意()}しない</>,
    refuseMeansRequired: <>{同意()}しない場合: {測定()}はできません。</>,
    refuseMeansOptional: <>{同意()}しない場合: {測定()}はできます。この{目的()}には使いません。</>,
    chosen: "選びました",
    confirm: "この内容で決める",
    remaining: (n) => <>あと {n} 項目、選んでください。</>,
    ready: "すべて選びました。よろしければ、決めるボタンを押してください。",
  },
  savingConsent: {
    title: <>お答えを{保存()}しています</>,
    body: "少しお待ちください。",
  },
  safety: {
    title: (
      <>
        ペースメーカーなど、体の中に電気で動く{医療機器()}を入れていますか?
      </>
    ),
    body: <>入れている方は、体重だけを{測定()}します。</>,
    yes: "はい",
    no: "いいえ",
    yesMeans: <>「はい」の場合、電気は流れません。</>,
  },
  guidance: {
    preparingTitle: <>{体組成計()}を準備しています</>,
    preparingBody: "少しお待ちください。まだ乗らないでください。",
    stepOnTitle: <>{体組成計()}に乗ってください</>,
    steps: [
      <>
        靴と<R t="靴下" r="くつした" />
        を脱いでください。
      </>,
      <>{体組成計()}の電極に、はだしで乗ってください。</>,
      <>終わるまで、動かずにお待ちください。</>,
    ],
    weightOnly: <>体重だけを{測定()}します。電気は流れません。</>,
    savingTitle: <>結果を{保存()}しています</>,
    savingBody: "そのまま少しお待ちください。",
    scale: (connected) =>
      connected === null ? (
        <>{体組成計()}: 確認中</>
      ) : connected ? (
        <>{体組成計()}: 接続しています</>
      ) : (
        <>{体組成計()}: 接続していません。{係員()}をお呼びください。</>
      ),
    demoStepOn: <>{体組成計()}に乗る (デモ)</>,
  },
  results: {
    title: <>{測定()}結果</>,
    valueName: (key) => VALUE_NAMES[key] ?? key,
    band: (band) => BANDS[band] ?? band,
    bandWord: (band) => <>判定: {BANDS[band] ?? band}</>,
    source: (s) => <>基準: {s}</>,
    notDiagnosis: "この結果は目安です。病気の診断ではありません。",
    weightOnly: <>今回は体重だけを{測定()}しました。</>,
    trendTitle: "これまでの体重",
    trendFirst: "はじめての記録です。次回から変化を表示します。",
    trendLatest: "今回",
    pointsTitle: "ポイント",
    pointsWaiting: "…",
    pointsAwarded: (earned, balance) => (
      <>
        +{earned} ポイント / <R t="残高" r="ざんだか" /> {balance}
      </>
    ),
    pointsLater: (
      <>
        ポイントは後で<R t="反映" r="はんえい" />
        されます
      </>
    ),
    finish: "終わる",
  },
  ended: {
    finished: { title: "ありがとうございました", body: <>{体組成計()}から降りてください。</> },
    stopped: { title: "終了しました", body: "ご利用ありがとうございました。" },
    required_purpose_refused: {
      title: <>{測定()}は行いません</>,
      body: <>必要な項目に{同意()}いただけなかったため、{測定()}はできません。お選びいただいた内容だけを記録しました。</>,
    },
    card_unknown: { title: "このカードは登録されていません", body: 係員をお呼びください() },
    lookup_failed: { title: "記録を読み込めませんでした", body: 係員をお呼びください() },
    no_documents_in_force: { title: <>{同意()}の説明を表示できません</>, body: 係員をお呼びください() },
    consent_not_saved: { title: <>お答えを{保存()}できませんでした</>, body: 係員をお呼びください() },
    scale_not_ready: { title: <>{体組成計()}の準備ができませんでした</>, body: 係員をお呼びください() },
    scale_fault: { title: <>{体組成計()}でエラーが起きました</>, body: 係員をお呼びください() },
    record_failed: { title: <>結果を{保存()}できませんでした</>, body: <>今回の結果は記録されていません。{係員()}をお呼びください。</> },
    idle_timeout: { title: "最初の画面に戻ります", body: "操作がなかったため、終了しました。" },
    consent_withdrawn: {
      title: <>{同意()}が{取り消()}されています</>,
      body: (
        <>
          {同意()}を{取り消()}されたため、{測定()}結果は{記録()}されません。
          {窓口へ("参加")}
        </>
      ),
    },
    use_stopped: {
      title: <>{利用停止()}のお{申し出()}を受けています</>,
      body: (
        <>
          {利用停止()}のお{申し出()}により、{測定()}結果は{記録()}されません。
          {窓口へ("利用")}
        </>
      ),
    },
    analyzer_changed: {
      title: <>{体組成計()}が{交換()}されています</>,
      body: (
        <>
          {点検()}が{済()}むまで{測定()}できません。{測定()}結果は{記録()}されていません。
          {係員をお呼びください()}
        </>
      ),
    },
  },
  scaleCode: (code) => <>{体組成計()}のエラー番号: {code}</>,
  idle: {
    title: "まだお使いですか?",
    countdown: (secs) => <>あと {secs} 秒で、最初の画面に戻ります。</>,
    continue: "続ける",
  },
  notice: (code, detail) => {
    switch (code) {
      case "card_malformed":
      case "card_bad_signature":
        return CARD_RETRY();
      case "card_not_ours":
      case "card_revoked":
      case "card_expired":
      case "card_unknown_participant":
      case "card_other_program":
      case "card_no_roster":
        return CARD_REFUSED();
      case "scale_message":
        return (
          <>
            {体組成計()}からのお知らせ{detail ? ` (${detail})` : ""}: はだしで、電極の上にまっすぐ乗ってください。
          </>
        );
      case "reading_refused":
        return <>{測定()}をやり直してください。一度降りて、もう一度乗ってください。</>;
      case "demo_only":
        return "この操作はデモでだけ使えます。";
      case "measurements_blocked":
        return (
          <>
            ただいま{測定()}できません。{SCALE_CHECK()}
          </>
        );
      default:
        return 係員をお呼びください();
    }
  },
  commandError: (code) => {
    switch (code) {
      case "stale_session":
        return "画面が切り替わりました。もう一度お試しください。";
      case "busy":
        return "ただいま処理中です。少しお待ちください。";
      case "not_demo":
        return "この操作はデモでだけ使えます。";
      case "no_such_card":
        return "そのデモ用カードはありません。";
      default:
        return <>うまくいきませんでした。{係員()}をお呼びください。</>;
    }
  },
};
