import type { SandboxReply, SandboxRequest } from '../shared/http.js';
import type { AmazonApp } from './config.js';
import type { Lwa } from './lwa.js';
import type { Region } from './marketplaces.js';

/** Seller Central shows people an HTML page, not JSON, when it cannot go on. */
export const consentErrorPage = (status: number, message: string): SandboxReply => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  text: `<!doctype html><html><head><title>Seller Central</title></head><body><h1>We could not authorize this application</h1><p>${message}</p></body></html>`,
});

export type ConsentDeps = Readonly<{
  apps: readonly AmazonApp[];
  lwa: Lwa;
  /** The seller "signed in" to Seller Central, who consents. */
  signedInSeller: () => string;
}>;

/**
 * Plays Seller Central's consent page as if the signed-in seller clicked Confirm: issues a one-time
 * code and redirects to the app's redirect URI with `state`, `selling_partner_id` and `spapi_oauth_code`.
 */
export const consent = (deps: ConsentDeps, region: Region, request: SandboxRequest): SandboxReply => {
  const applicationId = request.query.get('application_id');
  const state = request.query.get('state');
  const app = deps.apps.find((a) => a.applicationId === applicationId);
  if (app === undefined) return consentErrorPage(400, 'The application could not be found.');
  if (state === null || state === '') return consentErrorPage(400, 'The request is missing the state parameter.');
  // Draft apps only authorize through the beta workflow (reference §A1).
  if (app.draft === true && request.query.get('version') !== 'beta') {
    return consentErrorPage(400, 'This application is in draft status; authorize it with version=beta.');
  }
  const redirectUri = request.query.get('redirect_uri') ?? app.redirectUris[0];
  if (redirectUri === undefined || !app.redirectUris.includes(redirectUri)) {
    return consentErrorPage(400, 'The redirect_uri is not registered for this application.');
  }
  const sellerId = deps.signedInSeller();
  const { code } = deps.lwa.issueCode(app, sellerId, region, redirectUri);
  const target = new URL(redirectUri);
  target.searchParams.set('state', state);
  target.searchParams.set('selling_partner_id', sellerId);
  target.searchParams.set('spapi_oauth_code', code);
  return { status: 302, headers: { location: target.toString(), 'referrer-policy': 'no-referrer' } };
};
