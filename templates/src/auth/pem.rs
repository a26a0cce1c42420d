//! RSA public keys from PEM: a `PUBLIC KEY` block (SubjectPublicKeyInfo), read with a
//! minimal DER reader that returns `None` rather than panicking on any input.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{RsaKey, TokenError};

/// `rsaEncryption` (1.2.840.113549.1.1.1), as a DER object identifier.
const RSA_ENCRYPTION: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Reads an RSA public key from a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block.
pub(super) fn rsa_from_pem(pem: &str) -> Result<RsaKey, TokenError> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN PUBLIC KEY-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = STANDARD.decode(body).map_err(|e| TokenError::InvalidKey(format!("PEM: {e}")))?;
    rsa_from_spki(&der).ok_or_else(|| TokenError::InvalidKey("not an RSA SubjectPublicKeyInfo".into()))
}

/// `SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }`, where
/// `RSAPublicKey` is `SEQUENCE { INTEGER n, INTEGER e }`.
fn rsa_from_spki(der: &[u8]) -> Option<RsaKey> {
    let (spki, _) = der_read(der, 0x30)?;
    let (algorithm, rest) = der_read(spki, 0x30)?;
    if !algorithm.starts_with(RSA_ENCRYPTION) {
        return None;
    }
    let (bits, _) = der_read(rest, 0x03)?;
    // The first byte of a BIT STRING counts its unused bits.
    let (rsa, _) = der_read(bits.get(1..)?, 0x30)?;
    let (n, rest) = der_read(rsa, 0x02)?;
    let (e, _) = der_read(rest, 0x02)?;
    let strip = |x: &[u8]| x.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
    Some(RsaKey { n: strip(n), e: strip(e) })
}

/// Reads one DER element with the expected tag: (its contents, what follows).
fn der_read(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len, mut rest) = rest.split_first()?;
    let len = if len < 0x80 {
        usize::from(len)
    } else {
        let count = usize::from(len & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2048-bit test key (the public half of the SDK tests' fixture key).
    const PEM: &str = "\
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoOiBlqWNirjVtx9C63bP
7ZFox/ZeDM8dGfEwW6y96bFTkPDvtKGNA6bbhIvFC0DHlevUvrYMkJZgqzRiE6I9
kw09Qzhk6NMfyDDIVixNb8k8HHNocltzfZV4DyLcXGCiUl6XnGL4xJKQvD537wac
0BFyqketN4oPvphIKmCYFdtdBd3mlQT3iMO9PnrlUBFxVdCwiefShLkb7jaorq8t
Dz383GX/g5zLLZFXWrGXE77MjUcRvU4GuuSHW/B1mxGoT1ybs8/LAnmtq8MNjBiN
56h6nbgFoE5cCZ+J7BXhw96m1TNhvY/Wkf2J4KtKKsqHQ0rYN4y+sMrI/ZAbSn2H
PwIDAQAB
-----END PUBLIC KEY-----";

    fn der() -> Vec<u8> {
        let body: String = PEM.lines().filter(|l| !l.starts_with("-----")).collect();
        STANDARD.decode(body).unwrap()
    }

    #[test]
    fn a_public_key_block_gives_its_modulus_and_exponent() {
        let key = rsa_from_pem(&format!("some text before\n{PEM}\ntrailing")).unwrap();
        assert_eq!((key.n.len(), key.e.as_slice()), (256, &[1, 0, 1][..]));
        assert_ne!(key.n[0], 0, "the sign byte is stripped");
        assert_eq!(rsa_from_pem(&PEM.replace('\n', "\r\n")).unwrap(), key);
    }

    #[test]
    fn pem_that_is_not_an_rsa_public_key_is_an_invalid_key() {
        let private = PEM.replace("PUBLIC KEY", "PRIVATE KEY");
        let not_base64 = PEM.replace('M', "*");
        for pem in ["", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----", private.as_str(), not_base64.as_str()] {
            assert!(matches!(rsa_from_pem(pem), Err(TokenError::InvalidKey(_))), "{pem:?}");
        }
        // A P-256 key: a SubjectPublicKeyInfo, but not an RSA one.
        let ec = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeW3CBbUt56zt8qtj6qgtPgNxAQVc
O/uoJwngh+oLlkIQ1coLotUddINQccZ+CRofc03vhIAs8FPHi0yNEo2ogw==
-----END PUBLIC KEY-----";
        assert!(matches!(rsa_from_pem(ec), Err(TokenError::InvalidKey(why)) if why.contains("RSA")));
    }

    #[test]
    fn truncated_or_corrupted_der_is_rejected_without_panicking() {
        let der = der();
        for len in 0..der.len() {
            assert!(rsa_from_spki(&der[..len]).is_none(), "truncated to {len} bytes");
        }
        for i in 0..der.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut corrupted = der.clone();
                corrupted[i] ^= flip;
                // A flipped byte inside the modulus still reads as a key; anything else
                // must not panic.
                let _ = rsa_from_spki(&corrupted);
            }
        }
    }

    #[test]
    fn der_lengths_are_bounded_by_the_input() {
        assert_eq!(der_read(&[0x02, 0x01, 0x07, 0x09], 0x02), Some((&[0x07][..], &[0x09][..])));
        assert_eq!(der_read(&[0x02, 0x81, 0x01, 0x07], 0x02), Some((&[0x07][..], &[][..])));
        assert_eq!(der_read(&[0x02, 0x01, 0x07], 0x30), None, "wrong tag");
        assert_eq!(der_read(&[0x02, 0x02, 0x07], 0x02), None, "longer than the input");
        assert_eq!(der_read(&[0x02, 0x80, 0x07], 0x02), None, "indefinite length");
        assert_eq!(der_read(&[0x02, 0x85, 1, 0, 0, 0, 0], 0x02), None, "more length bytes than supported");
        assert_eq!(der_read(&[0x02, 0x84, 0xff, 0xff, 0xff, 0xff], 0x02), None, "a length beyond the input");
        assert_eq!(der_read(&[0x02, 0x82, 0x01], 0x02), None, "length bytes cut off");
        assert_eq!(der_read(&[0x02], 0x02), None);
        assert_eq!(der_read(&[], 0x02), None);
    }
}
