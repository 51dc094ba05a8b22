/**
 * Response headers that keep the UI to itself, set by helmet (one well-kept middleware rather than
 * a hand-written list that falls behind browsers). The UI loads nothing from anywhere else: its
 * script, stylesheet and icon come from this server, and it talks only to /api/v1, so the policy
 * allows 'self' alone. Preact sets element styles through the CSSOM (element.style), which
 * style-src does not restrict, so no 'unsafe-inline' is needed.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      // helmet's defaults allow https: styles and fonts and add upgrade-insecure-requests, which
      // would send the UI's own requests to https:// on a plain-HTTP localhost server.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        // No other page may frame the UI (clickjacking its Trigger and Clear buttons).
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Sluice serves plain HTTP; HSTS belongs to the TLS proxy in front of it, if any.
    strictTransportSecurity: false,
  });
}
