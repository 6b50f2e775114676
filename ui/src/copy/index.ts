// All the UI's words, by language. Deliberately not here: the words themselves (ja.tsx, en.tsx).

import type { Lang } from "../lib/ipc-types";
import { en } from "./en";
import { ja } from "./ja";
import type { Copy } from "./types";

export type { Copy } from "./types";

/** The copy for a language. */
export function copyFor(lang: Lang): Copy {
  return lang === "en" ? en : ja;
}

/** Every language, in the order the toggle shows them. */
export const LANGS: Lang[] = ["ja", "en"];
