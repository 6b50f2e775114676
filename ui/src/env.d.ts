/** Build-time flag: true only in `vite build --mode test` (the test-only state read). */
declare const __HAKARU_TEST__: boolean;
/** Build-time: the speech files' extension from public/voice/manifest.json, or null (no speech). */
declare const __VOICE_FORMAT__: string | null;
