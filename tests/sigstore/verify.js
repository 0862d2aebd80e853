// verify.js — checks a Sigstore bundle slsec wrote with the reference
// verifier, @sigstore/verify (pinned in package-lock.json), offline: the
// trust material holds only the given public key, and no transparency-log,
// certificate-transparency or timestamp evidence is required.
//
//   node tests/sigstore/verify.js BUNDLE PUBKEY.pem [ARTIFACT]
//
// ARTIFACT is needed for a messageSignature bundle; for a dsseEnvelope the
// statement's subject digests are checked against it when given.
// Prints "verified" and exits 0, or prints the verifier's error and exits 1.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity } = require('@sigstore/verify');

function main() {
  const [bundlePath, keyPath, artifactPath] = process.argv.slice(2);
  if (!bundlePath || !keyPath) {
    console.error('usage: node verify.js BUNDLE PUBKEY.pem [ARTIFACT]');
    return 2;
  }
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath));
  const trust = {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey, validFor: () => true }),
  };
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 });
  verifier.verify(toSignedEntity(bundle, artifact));
  if (bundle.content.$case === 'dsseEnvelope' && artifact) {
    const statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8'));
    const want = crypto.createHash('sha256').update(artifact).digest('hex');
    if (!(statement.subject || []).some((s) => s.digest && s.digest.sha256 === want))
      throw new Error('no subject of the statement has the artifact\'s sha256');
  }
  console.log('verified');
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`not verified: ${e.message}`);
  process.exitCode = 1;
}
