// Serves the web console (dist/console, built by scripts/build-console.mjs) at `/`, with a strict
// Content-Security-Policy, plus the caption frame the side-by-side preview runs the engine in.
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { loadConsoleAssets, type ConsoleAsset } from './console-assets.js';
import { CAPTION_FRAME_CSP, consoleCsp } from './console-csp.js';

@ApiExcludeController()
@Controller()
export class ConsoleController {
  private assets: Map<string, ConsoleAsset> | null | undefined;
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.csp = consoleCsp(config);
  }

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('console/:file')
  file(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, name: string): void {
    this.assets ??= loadConsoleAssets();
    if (!this.assets) {
      res.status(503).type('text/plain').send('The console is not built: run "npm run build:console".\n');
      return;
    }
    const asset = this.assets.get(name);
    if (!asset) {
      res.status(404).type('text/plain').send('not found\n');
      return;
    }
    const csp = name === 'caption-frame.html' ? CAPTION_FRAME_CSP : this.csp;
    res
      .status(200)
      .set({
        'Content-Type': asset.contentType,
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'X-Frame-Options': name === 'caption-frame.html' ? 'SAMEORIGIN' : 'DENY',
        'Cache-Control': 'no-cache',
      })
      .send(asset.body);
  }
}
