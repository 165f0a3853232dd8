/**
 * Every secret the installer learns (license key, passwords, keys) is registered here, and everything
 * written to the log, the screen or a support bundle passes through `mask`.
 */
export class Masker {
  private readonly secrets = new Set<string>();

  add(...values: (string | undefined | null)[]): void {
    for (const v of values) if (v && v.length >= 6) this.secrets.add(v);
  }

  mask(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join('***');
      const encoded = encodeURIComponent(s);
      if (encoded !== s) out = out.split(encoded).join('***');
    }
    return out;
  }
}
