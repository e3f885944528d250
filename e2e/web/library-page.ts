/** Page object for the library screen in browser mode. */
import { expect, type Locator, type Page } from '@playwright/test';

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

  card(name: string): Locator {
    return this.page.getByTestId('video-card').filter({ has: this.page.getByTestId('video-name').getByText(name, { exact: true }) });
  }

  thumbnails(card: Locator): Locator {
    return card.getByTestId('thumbnail');
  }
}
