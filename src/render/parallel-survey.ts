// The survey split over several pages (issue 15). Surveying seeks every frame where a cue may
// show, each one built from scratch in the page, so any page can survey any frame and the order
// does not matter; before the survey ends ffmpeg has not started, so a second page has a core
// to itself. Pages pull chunks of frames from one list; a page still opening joins when ready.
import { unionBBox, type BBox, type SurveyResult } from '../../libs/caption-page/src/index.js';

export interface Surveyor {
  survey(times: readonly number[]): Promise<SurveyResult>;
}

/** Frames per chunk a page takes at a time: small enough to balance, large enough to batch. */
export const SURVEY_CHUNK = 120;

export async function surveyOnPages(
  pages: ReadonlyArray<Promise<Surveyor>>,
  times: readonly number[],
  signal?: AbortSignal,
  chunk = SURVEY_CHUNK,
): Promise<SurveyResult> {
  const chunks = Math.ceil(times.length / chunk);
  const parts = new Array<string[]>(chunks);
  let bbox: BBox | null = null;
  let next = 0;
  let failed = false;
  const worker = async (ready: Promise<Surveyor>) => {
    const page = await ready;
    while (!failed && next < chunks) {
      signal?.throwIfAborted();
      const k = next++;
      const part = await page.survey(times.slice(k * chunk, (k + 1) * chunk));
      parts[k] = part.signatures;
      bbox = unionBBox(bbox, part.bbox);
    }
  };
  const results = await Promise.allSettled(
    pages.map((p) =>
      worker(p).catch((err) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return { signatures: parts.flat(), bbox };
}
