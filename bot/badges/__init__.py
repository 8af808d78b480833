"""Open Badges 3.0: credentials a deployment signs, bakes into PNG images and verifies.

A pure library (no database, no Telegram), so that anyone can check a badge offline:

- `keys`: the deployment's Ed25519 signing key and its `did:key` identifier;
- `credential`: the `OpenBadgeCredential` (W3C VC Data Model 2.0 + Open Badges 3.0);
- `vcjwt`: signing and verifying the credential as a VC-JWT (OB 3.0 §8.2);
- `image`: the badge picture, and baking/extracting the `openbadgecredential` iTXt chunk;
- `status`: the Bitstring Status List credential that lists revoked awards;
- `verify`: one call from PNG bytes to a verdict with a reason code.
"""
