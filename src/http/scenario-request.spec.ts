// The API's one check of a request's scenario: 413 past the size limit, a 400 naming every issue's
// field, a 503 when the plugin origin cannot vouch for a plugin now, else the prepared scenario.
import type { HttpException } from '@nestjs/common';
import { minimal } from '../../test/helpers/scenario-input.js';
import type { PluginCatalog, PluginClassification } from '../plugins/plugin-catalog.service.js';
import { assertScenarioSize, prepareRequestScenario } from './scenario-request.js';

async function answer(p: Promise<unknown> | (() => unknown)): Promise<{ status: number; detail: Record<string, unknown> }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    const e = err as HttpException;
    return { status: e.getStatus(), detail: (e.getResponse() as { detail: Record<string, unknown> }).detail };
  }
  throw new Error('expected an ApiError');
}

/** A plugin origin that is down: every plugin it is asked about is unavailable. */
const originDown = {
  origin: 'https://plugins.example',
  classify: (refs: string[]): Promise<PluginClassification> =>
    Promise.resolve({ origin: [], bundled: [], unknown: [], unavailable: refs, reasons: {}, byRef: {} }),
} as unknown as PluginCatalog;

describe('the scenario of an API request', () => {
  it('is refused with 413 past the size limit, at the limit it passes', async () => {
    expect(() => assertScenarioSize(1000, 1000)).not.toThrow();
    expect(await answer(() => assertScenarioSize(1001, 1000))).toEqual({
      status: 413,
      detail: expect.objectContaining({ code: 'RENDER_PAYLOAD_TOO_LARGE', message: 'scenario: 1001 bytes, more than the 1000 allowed' }),
    });
  });

  it('is prepared as a render will see it', async () => {
    const { prepared } = await prepareRequestScenario(minimal());
    expect(prepared.cueWindows).toEqual([{ cueId: 'c1', start: 1, end: 2 }]);
  });

  it('answers a 400 naming every issue by its field in the body', async () => {
    const s = minimal({ text: { displayTime: 'soon' } });
    s.stage.baseAspect = '4:3';
    const { status, detail } = await answer(prepareRequestScenario(s));
    expect(status).toBe(400);
    expect(detail.code).toBe('RENDER_VALIDATION_FAILED');
    expect(detail.message).toMatch(/^scenario: /);
    expect((detail.details as { field: string }[]).map((d) => d.field)).toEqual([
      'scenario.stage.baseAspect',
      'scenario.cues[0].root.children[0].displayTime',
    ]);
  });

  it('answers a 503 naming the plugins the plugin origin cannot vouch for now', async () => {
    const s = minimal({ text: { pluginChain: [{ name: 'sparkle@9.9.9' }] } });
    const { status, detail } = await answer(prepareRequestScenario(s, originDown));
    expect({ status, code: detail.code }).toEqual({ status: 503, code: 'RENDER_SERVICE_UNAVAILABLE' });
    expect(detail.message).toBe('the plugin origin is unavailable, so plugin "sparkle@9.9.9" cannot be checked; try again shortly');
  });
});
