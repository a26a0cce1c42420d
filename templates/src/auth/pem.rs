//! RSA public keys from PEM, read leniently, as keys arrive from dashboards, `.env` files
//! and secret stores: with or without the `BEGIN`/`END` lines, on one line, with escaped
//! `\n`, with CRLF, or quoted. The DER inside is read with a minimal reader that returns
//! `None` rather than panicking on any input.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

use super::{RsaKey, TokenError};

/// `rsaEncryption` (1.2.840.113549.1.1.1), as a DER object identifier.
const RSA_ENCRYPTION: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The smallest modulus accepted for RS256 (2048 bits).
const MIN_MODULUS_BYTES: usize = 256;

/// Reads an RSA public key: a `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY`
/// (PKCS#1) block, or its base64 body alone.
pub(super) fn rsa_from_pem(pem: &str) -> Result<RsaKey, TokenError> {
    let text = unescape(pem);
    if text.contains("PRIVATE KEY") {
        return Err(TokenError::InvalidKey("a private key: use the instance's PEM public key".into()));
    }
    let (label, body) = unarmor(&text)?;
    let body: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if body.is_empty() {
        return Err(TokenError::InvalidKey("no key in the PEM text".into()));
    }
    let der = STANDARD_PAD_INDIFFERENT
        .decode(body)
        .map_err(|e| TokenError::InvalidKey(format!("the PEM body is not base64: {e}")))?;
    let key = match label {
        Some("RSA PUBLIC KEY") => rsa_from_pkcs1(&der),
        Some(_) => rsa_from_spki(&der),
        None => rsa_from_spki(&der).or_else(|| rsa_from_pkcs1(&der)),
    };
    let key = key.ok_or_else(|| TokenError::InvalidKey("not an RSA public key".into()))?;
    if key.n.len() < MIN_MODULUS_BYTES {
        return Err(TokenError::InvalidKey(format!(
            "an RSA key of {} bits; RS256 needs 2048 or more",
            key.n.len() * 8
        )));
    }
    Ok(key)
}

/// The text with surrounding quotes removed and escaped line breaks (`\n`, `\r`) made real.
fn unescape(pem: &str) -> String {
    let trimmed = pem.trim();
    let unquoted =
        ['"', '\''].iter().find_map(|q| trimmed.strip_prefix(*q).and_then(|t| t.strip_suffix(*q))).unwrap_or(trimmed);
    unquoted.replace("\\r", "\r").replace("\\n", "\n")
}

/// The block's label (`PUBLIC KEY`) and body, the `-----BEGIN …-----` and `-----END …-----`
/// lines removed wherever they are; text without them is all body.
fn unarmor(text: &str) -> Result<(Option<&str>, &str), TokenError> {
    let Some(begin) = text.find("-----BEGIN ") else { return Ok((None, text)) };
    let after = &text[begin + "-----BEGIN ".len()..];
    let (label, body) = after
        .split_once("-----")
        .ok_or_else(|| TokenError::InvalidKey("a `-----BEGIN` line without its closing dashes".into()))?;
    if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
        let label: String = label.chars().take(40).collect();
        return Err(TokenError::InvalidKey(format!("a {label:?} block, not a public key")));
    }
    let end =
        body.find("-----END ").ok_or_else(|| TokenError::InvalidKey(format!("no `-----END {label}-----` line")))?;
    Ok((Some(label), &body[..end]))
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
    rsa_from_pkcs1(bits.get(1..)?)
}

/// `RSAPublicKey ::= SEQUENCE { INTEGER n, INTEGER e }` (PKCS#1).
fn rsa_from_pkcs1(der: &[u8]) -> Option<RsaKey> {
    let (rsa, _) = der_read(der, 0x30)?;
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
        STANDARD_PAD_INDIFFERENT.decode(body()).unwrap()
    }

    fn body() -> String {
        PEM.lines().filter(|l| !l.starts_with("-----")).collect()
    }

    #[test]
    fn a_public_key_block_gives_its_modulus_and_exponent() {
        let key = rsa_from_pem(&format!("some text before\n{PEM}\ntrailing")).unwrap();
        assert_eq!((key.n.len(), key.e.as_slice()), (256, &[1, 0, 1][..]));
        assert_ne!(key.n[0], 0, "the sign byte is stripped");
    }

    #[test]
    fn keys_load_in_every_form_they_arrive_in() {
        let key = rsa_from_pem(PEM).unwrap();
        let one_line = PEM.replace('\n', "");
        let spaced = PEM.replace('\n', " ");
        let escaped = PEM.replace('\n', "\\n");
        let escaped_crlf = PEM.replace('\n', "\\r\\n");
        let quoted = format!("\"{escaped}\"\n");
        let single_quoted = format!("'{PEM}'");
        let crlf = PEM.replace('\n', "\r\n");
        let indented = PEM.lines().map(|l| format!("    {l}\n")).collect::<String>();
        let headerless = body();
        let wrapped = body().as_bytes().chunks(64).map(|c| format!("{}\n", std::str::from_utf8(c).unwrap())).collect();
        let unpadded = body().trim_end_matches('=').to_owned();
        let pkcs1 = format!(
            "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----",
            STANDARD_PAD_INDIFFERENT.encode(&der()[24..])
        );
        for (form, text) in [
            ("one line", one_line),
            ("spaces for newlines", spaced),
            ("escaped newlines", escaped),
            ("escaped CRLF", escaped_crlf),
            ("quoted", quoted),
            ("single-quoted", single_quoted.clone()),
            ("CRLF", crlf),
            ("indented", indented),
            ("header-less", headerless),
            ("header-less, wrapped", wrapped),
            ("unpadded", unpadded),
            ("PKCS#1", pkcs1),
        ] {
            assert_eq!(rsa_from_pem(&text).unwrap_or_else(|e| panic!("{form}: {e}")), key, "{form}");
        }
    }

    #[test]
    fn garbage_is_a_clear_invalid_key_error() {
        let private = PEM.replace("PUBLIC KEY", "PRIVATE KEY");
        let not_base64 = PEM.replace('M', "*");
        let unterminated = PEM.replace("-----END PUBLIC KEY-----", "");
        let certificate = PEM.replace("PUBLIC KEY", "CERTIFICATE");
        let short = format!(
            "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----",
            STANDARD_PAD_INDIFFERENT.encode([0x30, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x03])
        );
        for (pem, why) in [
            ("", "no key"),
            ("   \n ", "no key"),
            ("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----", "no key"),
            ("-----BEGIN PUBLIC KEY", "closing dashes"),
            (unterminated.as_str(), "no `-----END PUBLIC KEY-----` line"),
            (private.as_str(), "private key"),
            (certificate.as_str(), "\"CERTIFICATE\" block"),
            (not_base64.as_str(), "not base64"),
            ("sk_test_123", "not base64"),
            ("aGVsbG8gd29ybGQ=", "not an RSA public key"),
            (short.as_str(), "RS256 needs 2048"),
        ] {
            match rsa_from_pem(pem) {
                Err(TokenError::InvalidKey(message)) => assert!(message.contains(why), "{pem:?}: {message}"),
                other => panic!("{pem:?}: {other:?}"),
            }
        }
        // A P-256 key: a SubjectPublicKeyInfo, but not an RSA one.
        let ec = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeW3CBbUt56zt8qtj6qgtPgNxAQVc
O/uoJwngh+oLlkIQ1coLotUddINQccZ+CRofc03vhIAs8FPHi0yNEo2ogw==
-----END PUBLIC KEY-----";
        assert!(matches!(rsa_from_pem(ec), Err(TokenError::InvalidKey(why)) if why.contains("RSA")));
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let pieces = ["-----BEGIN ", "-----END ", "PUBLIC KEY", "-----", "\\n", "\n", "\"", "M", "é", "=", " ", "\r"];
        for _ in 0..2_000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let _ = rsa_from_pem(&text);
        }
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
