// Font resolution against real parts: the npm font packages' files, fontconfig's fc-list, and a
// loopback font origin (CSS API + font host + asset origin) reached through the guarded fetcher.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EDITOR_SCENARIOS_DIR, SHARED_FIXTURES_DIR } from '../../test/helpers/editor-reference-dir.js';
import { prepareScenario } from '../scenario/prepare-scenario.js';
import { FONT_FILES, startFontOriginServer, type FontOriginServer } from '../../test/helpers/font-origin-server.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { bundledFaces, bundledFamily } from './font-catalogue.js';
import type { FontConfig } from './font-config.js';
import { intersectRanges, parseFontFaceCss, parseUnicodeRange, rangesHave } from './font-face-css.js';
import { fontFileCoverage } from './font-coverage.js';
import { AssetReferenceError, FontResolver, FontUnavailableError } from './font-resolver.js';
import { FontSources } from './font-sources.js';
import { parseFamilyList, scenarioFontNeeds } from './scenario-fonts.js';
import { parseFcList, systemFonts } from './system-fonts.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scenario = (text: string, fontFamily = 'Arial, sans-serif', extra: Record<string, unknown> = {}) => ({
  version: '2.0',
  timebase: { unit: 'seconds' },
  stage: { baseAspect: '16:9' },
  tracks: [{ id: 't', type: 'subtitle', layer: 1, defaultStyle: { fontFamily } }],
  cues: [{ id: 'c', track: 't', root: { id: 'g', eType: 'group', children: [{ id: 'n', eType: 'text', text, displayTime: [0, 1] }] } }],
  ...extra,
});

describe('font stylesheets, family lists and coverage', () => {
  it('parses unicode-range descriptors, wildcards included', () => {
    expect(parseUnicodeRange('U+0-7F, U+4??, U+AC00-D7A3,U+1F600')).toEqual([
      [0, 0x7f],
      [0x400, 0x4ff],
      [0xac00, 0xd7a3],
      [0x1f600, 0x1f600],
    ]);
    expect(() => parseUnicodeRange('U+ZZ')).toThrow(/unicode-range/);
  });

  it('intersects code-point ranges (a subset face draws what its cmap has within its unicode-range)', () => {
    expect(
      intersectRanges(
        [
          [0, 0x7f],
          [0x100, 0x200],
        ],
        [
          [0x41, 0x150],
          [0x1ff, 0x300],
        ],
      ),
    ).toEqual([
      [0x41, 0x7f],
      [0x100, 0x150],
      [0x1ff, 0x200],
    ]);
    expect(intersectRanges([[0, 10]], [])).toEqual([]);
  });

  it('splits CSS family lists as the editor writes them', () => {
    expect(parseFamilyList("'Roboto Flex', system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif")).toEqual([
      'Roboto Flex',
      'system-ui',
      '-apple-system',
      'Segoe UI',
      'Roboto',
      'Arial',
      'sans-serif',
    ]);
    expect(parseFamilyList('"나눔스퀘어 네오", sans-serif')).toEqual(['나눔스퀘어 네오', 'sans-serif']);
  });

  it('collects families, define font files and drawn characters from a scenario', () => {
    const needs = scenarioFontNeeds(
      scenario('Hi 안녕 😀', "'Noto Sans KR', Arial", { define: { f: { type: 'font', url: 'fonts/x.woff2' } } }),
    );
    expect(needs.required).toEqual(['Noto Sans KR']);
    expect(needs.fontFiles).toEqual([{ family: 'f', url: 'fonts/x.woff2', field: 'scenario.define.f.url' }]);
    expect([...needs.codePoints].sort((a, b) => a - b)).toEqual([0x48, 0x69, 0xc548, 0xb155, 0x1f600].sort((a, b) => a - b));
  });

  it('reads cmap coverage from woff2, woff and ttf files alike', () => {
    const woff2 = fontFileCoverage(readFileSync(FONT_FILES.arimoLatin400))!;
    const woff = fontFileCoverage(readFileSync(FONT_FILES.arimoLatin400.replace(/woff2$/, 'woff')))!;
    expect(woff2).toEqual(woff);
    expect(rangesHave(woff2, 0x41)).toBe(true);
    expect(rangesHave(woff2, 0xac00)).toBe(false);
    const kr = fontFileCoverage(readFileSync(FONT_FILES.notoSansKrKorean))!;
    expect(rangesHave(kr, 'A'.codePointAt(0)!)).toBe(true);
  });

  it("reads fontconfig's families and charsets", async () => {
    const parsed = parseFcList('DejaVu Sans,DejaVu Sans Light\t20-7e a0-17f 5d0-5ea\n');
    expect(parsed.families.has('dejavu sans light')).toBe(true);
    expect(rangesHave(parsed.coverage, 0x5d0)).toBe(true);
    const sys = await systemFonts();
    expect(sys.families.size).toBeGreaterThan(0); // fonts-noto-cjk at least (scripts/ensure-deps.sh)
    expect(rangesHave(sys.coverage, 0xac00)).toBe(true);
  });

  it('ships Arial as Arimo, from the npm package', async () => {
    const fam = bundledFamily("'ARIAL'")!;
    expect(fam.face).toBe('Arimo');
    const faces = await bundledFaces(fam);
    expect(faces.some((f) => f.weight === '700' && f.style === 'normal')).toBe(true);
    expect(parseFontFaceCss(readFileSync(join(faces[0].path, '../../400.css'), 'utf8'))[0].family).toBe('Arimo');
  });
});

describe('FontResolver', () => {
  let origin: FontOriginServer;
  let cacheDir: string;
  let fetcher: GuardedFetcher;
  const resolverWith = (over: Partial<FontConfig> = {}) => {
    const config: FontConfig = {
      origins: [origin.url],
      assetOrigins: [`${origin.assetsUrl}/`],
      cacheDir,
      fallback: 'refuse',
      allowPrivateNetworks: true,
      ...over,
    };
    return new FontResolver(config, new FontSources(fetcher, config));
  };

  beforeAll(async () => {
    origin = await startFontOriginServer({
      families: { 'Loopback Sans': FONT_FILES.cousineLatin400 },
      assets: { 'fonts/NotoSansKR-Regular.woff2': FONT_FILES.notoSansKrKorean, 'fonts/not-a-font.woff2': join(ROOT, 'package.json') },
    });
    cacheDir = await mkdtemp(join(tmpdir(), 'ecg-font-cache-'));
    fetcher = new GuardedFetcher({ allowHttp: true, allowPrivateNetworks: true });
  });
  afterAll(async () => {
    await fetcher.close();
    await origin.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('hands Arimo faces to the page under the family name "Arial", only the subsets the text needs', async () => {
    const plan = await resolverWith().plan(scenario('Hello'));
    expect(plan.families).toEqual([expect.objectContaining({ family: 'Arial', source: 'bundled', face: 'Arimo', required: true })]);
    expect(plan.fonts.length).toBe(1); // latin, 400 normal
    expect(plan.fonts[0]).toMatchObject({ family: 'Arial', weight: '400', style: 'normal' });
    expect(Buffer.from(plan.fonts[0].data).equals(readFileSync(FONT_FILES.arimoLatin400))).toBe(true);
    expect(plan.problems).toEqual([]);
  });

  it('Korean text in Noto Sans KR: a few of its ~120 subsets, bold when asked', async () => {
    const s = scenario('안녕하세요', "'Noto Sans KR', sans-serif");
    (s.tracks[0].defaultStyle as Record<string, unknown>).fontWeight = 'bold';
    const plan = await resolverWith().plan(s);
    expect(plan.fonts.length).toBeGreaterThan(0);
    expect(plan.fonts.length).toBeLessThan(6);
    expect(new Set(plan.fonts.map((f) => f.weight))).toEqual(new Set(['100 900']));
    expect(plan.tofu).toEqual([]);
  });

  it('registers colour emoji and Arabic/Hebrew faces behind the family for exactly the characters it lacks', async () => {
    const plan = await resolverWith().plan(scenario('Hi 😀 שלום مرحبا'));
    const emoji = plan.fonts.filter((f) => f.family === 'Arial' && /1F600/.test(f.unicodeRange ?? ''));
    expect(emoji.length).toBe(1);
    expect(emoji[0].unicodeRange).toContain('U+200D'); // ZWJ sequences shape in the emoji face
    expect(plan.fonts.some((f) => /U\+627/i.test(f.unicodeRange ?? '') && f.family === 'Arial')).toBe(true); // Arabic alef
    // Hebrew: Arimo has it (its hebrew subset), so no fallback face for it.
    expect(plan.families.map((f) => f.family)).toEqual(['Arial']);
    expect(plan.tofu).toEqual([]);
  });

  it('fetches a web family from the font origin once (then from the disk cache), through the guarded fetcher', async () => {
    const before = origin.requests.length;
    const plan = await resolverWith().plan(scenario('Web font', "'Loopback Sans', sans-serif"));
    expect(plan.families[0]).toMatchObject({ family: 'Loopback Sans', source: 'fetched' });
    expect(plan.fonts).toEqual([expect.objectContaining({ family: 'Loopback Sans', weight: '400' })]);
    expect(Buffer.from(plan.fonts[0].data).equals(readFileSync(FONT_FILES.cousineLatin400))).toBe(true);
    const fetched = origin.requests.slice(before);
    expect(fetched.some((r) => r.startsWith('/css2?family=Loopback+Sans'))).toBe(true);
    expect(fetched).toContain('/files/cousine-latin-400-normal.woff2');
    expect((await readdir(cacheDir)).length).toBeGreaterThan(0);

    const again = origin.requests.length;
    await resolverWith().plan(scenario('Web font', "'Loopback Sans', sans-serif"));
    expect(origin.requests.length).toBe(again);
  });

  it('refuses a family nobody has, naming it; with warn it reports it instead', async () => {
    const s = scenario('Hello', "'나눔스퀘어 네오', sans-serif");
    const err = await resolverWith()
      .plan(s)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FontUnavailableError);
    expect((err as FontUnavailableError).message).toContain('나눔스퀘어 네오');
    expect((err as FontUnavailableError).details[0].field).toBe('fontFamily:나눔스퀘어 네오');
    const warned = await resolverWith({ fallback: 'warn' }).plan(s);
    expect(warned.missing.map((m) => m.family)).toEqual(['나눔스퀘어 네오']);
    expect(warned.problems[0]).toMatch(/나눔스퀘어 네오.*cannot be loaded/);
  });

  it('names characters no face covers (tofu)', async () => {
    const err = (await resolverWith()
      .plan(scenario('ok \u{F0001}\u{10FFFD}'))
      .catch((e: unknown) => e)) as FontUnavailableError;
    expect(err).toBeInstanceOf(FontUnavailableError);
    expect(err.plan.tofu).toEqual([0xf0001, 0x10fffd]);
    expect(err.message).toContain('U+F0001');
  });

  it('loads a font file named in define relative to ASSET_ORIGINS, with its cmap coverage', async () => {
    const s = scenario('가나다', 'custom_font', { define: { custom_font: { type: 'font', url: 'fonts/NotoSansKR-Regular.woff2' } } });
    const plan = await resolverWith().plan(s);
    expect(plan.families[0]).toMatchObject({
      family: 'custom_font',
      source: 'asset',
      note: `${origin.assetsUrl}/fonts/NotoSansKR-Regular.woff2`,
    });
    expect(plan.fonts[0].family).toBe('custom_font');
  });

  it('a define font file that is not a readable font is refused, not handed to the page', async () => {
    const s = scenario('x', 'f', { define: { f: { type: 'font', url: 'fonts/not-a-font.woff2' } } });
    const err = (await resolverWith()
      .plan(s)
      .catch((e: unknown) => e)) as FontUnavailableError;
    expect(err).toBeInstanceOf(FontUnavailableError);
    expect(err.message).toMatch(/"f" cannot be loaded.*not a TrueType\/OpenType\/WOFF\/WOFF2 font/);
  });

  it('every editor scenario and fixture: editor exports load every family and every character; fixtures name only the known missing ones', async () => {
    const resolver = resolverWith({ origins: [], assetOrigins: [], fallback: 'warn' });
    const problems: string[] = [];
    const files: string[] = [];
    for (const dir of [join(EDITOR_SCENARIOS_DIR, 'editor-generated'), join(EDITOR_SCENARIOS_DIR, 'editor-exports'), SHARED_FIXTURES_DIR]) {
      for (const f of readdirSync(dir, { recursive: true }) as string[]) if (f.endsWith('.json')) files.push(join(dir, f));
    }
    for (const f of files.sort()) {
      let prepared;
      try {
        prepared = prepareScenario(JSON.parse(readFileSync(f, 'utf8')));
      } catch {
        continue; // invalid on purpose (some fixtures); not a font question
      }
      const plan = await resolver.plan(prepared.scenario, { withBytes: false });
      for (const m of plan.missing) problems.push(`${basename(f)}: ${m.family}`);
      if (plan.tofu.length) problems.push(`${basename(f)}: tofu ${plan.tofu.map((c) => c.toString(16)).join(' ')}`);
    }
    expect(files.length).toBeGreaterThan(30);
    // 'Arial Black' has no free metric-compatible face; custom_font is a relative file and this
    // resolver has no ASSET_ORIGINS. Nothing else is missing, and no character lacks a glyph.
    expect([...new Set(problems.map((p) => p.replace(/^.*?: /, '')))].sort()).toEqual(['Arial Black', 'custom_font']);
  });

  it('refuses asset references that are not relative to ASSET_ORIGINS (in warn mode too)', async () => {
    const s = (url: string) => scenario('x', 'f', { define: { f: { type: 'font', url } } });
    await expect(resolverWith({ fallback: 'warn' }).plan(s('https://evil.example/x.woff2'))).rejects.toThrow(AssetReferenceError);
    await expect(resolverWith({ fallback: 'warn' }).plan(s('file:///etc/passwd'))).rejects.toThrow(/scenario\.define\.f\.url/);
    // Relative with no ASSET_ORIGINS: the family cannot be loaded (refused, or a warning).
    await expect(resolverWith({ assetOrigins: [] }).plan(s('fonts/x.woff2'))).rejects.toThrow(FontUnavailableError);
    const warned = await resolverWith({ assetOrigins: [], fallback: 'warn' }).plan(s('fonts/x.woff2'));
    expect(warned.problems[0]).toMatch(/"f" cannot be loaded.*no ASSET_ORIGINS/);
    await expect(resolverWith().plan(s('../../x.woff2'))).rejects.toThrow(/leaves the asset origin/);
  });
});
