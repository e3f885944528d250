/** Page object for the library screen in browser mode. */
import { expect, type Locator, type Page } from '@playwright/test';
import { basename } from 'node:path';

export class LibraryPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('import-path')).toBeVisible();
  }

  async importPath(path: string): Promise<void> {
    await this.page.getByTestId('import-path').fill(path);
    await this.page.getByTestId('import-submit').click();
  }

  /** Imports `path` with frames stored at `size` px and waits until its card is ready. */
  async importReady(path: string, size: number): Promise<void> {
    await this.page.getByTestId('import-size').fill(String(size));
    await this.importPath(path);
    await expect(this.card(basename(path))).toHaveAttribute('data-status', 'ready');
  }

  card(name: string): Locator {
    return this.page.getByTestId('video-card').filter({ has: this.page.getByTestId('video-name').getByText(name, { exact: true }) });
  }

  thumbnails(card: Locator): Locator {
    return card.getByTestId('thumbnail');
  }
}
