import { RuleInfo } from '../model/rule-info';

const SOURCE_PLUGGED_CA = 'istio/istio pilot/pkg/bootstrap/istio_ca.go (createIstioCA), security/pkg/pki/util/keycertbundle.go; istio.io "Plug in CA Certificates"';

/** The catalogue of CA preflight codes (category `certificates`). */
export const CERTIFICATE_RULES: RuleInfo[] = [
  {
    code: 'IMC001',
    category: 'certificates',
    severity: 'error',
    title: 'File holds no PEM block',
    explanation: 'Each of ca-cert.pem, ca-key.pem, cert-chain.pem and root-cert.pem must hold PEM blocks. istiod mounts the cacerts Secret at /etc/cacerts; when ca-key.pem is missing it silently falls back to a self-signed root, and with unreadable files it fails to start.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC002',
    category: 'certificates',
    severity: 'error',
    title: 'Not a certificate',
    explanation: 'A block in a certificate file is not a parseable X.509 certificate (a key, a CSR, a CRL or corrupted base64). istiod fails to load the bundle and no workload gets a certificate.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC003',
    category: 'certificates',
    severity: 'error',
    title: 'Encrypted CA key',
    explanation: 'istiod reads ca-key.pem without a passphrase; an encrypted key cannot be loaded. The preflight refuses it rather than asking for the passphrase, so no secret is ever handled.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC004',
    category: 'certificates',
    severity: 'error',
    title: 'Unusable CA key',
    explanation: 'ca-key.pem must hold exactly one unencrypted private key (PKCS#1 RSA, SEC1 EC or PKCS#8).',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC005',
    category: 'certificates',
    severity: 'error',
    title: 'CA key type differs from ca-cert',
    explanation: 'The private key is of another algorithm (RSA vs EC) than ca-cert.pem\'s public key: it cannot belong to that certificate, and istiod refuses the pair.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC006',
    category: 'certificates',
    severity: 'error',
    title: 'CA key does not match ca-cert',
    explanation: 'ca-key.pem is not the private key of ca-cert.pem. istiod verifies the pair at start-up and fails; if it did not, every workload certificate would carry a signature peers cannot verify.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC007',
    category: 'certificates',
    severity: 'error',
    title: 'Certificate is not a CA',
    explanation: 'ca-cert.pem, every intermediate in cert-chain.pem and every root must have basicConstraints CA:TRUE. Certificates issued by a non-CA are rejected by every TLS peer, so the whole mesh stops talking.',
  },
  {
    code: 'IMC008',
    category: 'certificates',
    severity: 'error',
    title: 'CA may not sign certificates',
    explanation: 'The certificate has a keyUsage extension without keyCertSign. Envoy (BoringSSL) then refuses it as an issuer and every mTLS handshake fails.',
  },
  {
    code: 'IMC009',
    category: 'certificates',
    severity: 'warning',
    title: 'ca-cert.pem holds several certificates',
    explanation: 'istiod uses only the first certificate of ca-cert.pem as the signing certificate and ignores the rest. Intermediates belong in cert-chain.pem.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC010',
    category: 'certificates',
    severity: 'error',
    title: 'cert-chain.pem does not start with ca-cert',
    explanation: 'istiod appends cert-chain.pem to every workload certificate it issues; the chain must start with the signing certificate (ca-cert.pem) so that peers can link the workload certificate to it.',
    source: SOURCE_PLUGGED_CA,
  },
  {
    code: 'IMC011',
    category: 'certificates',
    severity: 'error',
    title: 'cert-chain.pem in the wrong order',
    explanation: 'Each certificate in cert-chain.pem must be followed by the one that issued it (leaf to root: ca-cert, then intermediates, optionally the root). TLS 1.2 requires this order, and peers that do not rebuild paths reject the chain.',
  },
  {
    code: 'IMC012',
    category: 'certificates',
    severity: 'error',
    title: 'Chain does not reach root-cert',
    explanation: 'ca-cert.pem must chain up, through the certificates in cert-chain.pem, to a root in root-cert.pem, with every signature verifying. Otherwise workloads trust a root that did not sign their peers\' certificates and every handshake fails.',
  },
  {
    code: 'IMC013',
    category: 'certificates',
    severity: 'error',
    title: 'Root is not self-signed',
    explanation: 'Each certificate in root-cert.pem is distributed to every workload as a trust anchor. Envoy accepts only self-signed anchors (no partial chains), so an intermediate there breaks verification.',
  },
  {
    code: 'IMC014',
    category: 'certificates',
    severity: 'error',
    title: 'Certificate expired',
    explanation: 'An expired CA, intermediate or root certificate makes every workload certificate under it fail verification: the whole mesh goes down at once.',
  },
  {
    code: 'IMC015',
    category: 'certificates',
    severity: 'error',
    title: 'Certificate not yet valid',
    explanation: 'The certificate\'s notBefore is in the future (clock skew, or a certificate issued for later). Until then peers reject it.',
  },
  {
    code: 'IMC016',
    category: 'certificates',
    severity: 'error',
    title: 'Certificate expires within the window',
    explanation: 'The certificate expires within the configured window (30 days by default). Rotating a CA needs the new root distributed to every workload before the old one expires; start now.',
  },
  {
    code: 'IMC017',
    category: 'certificates',
    severity: 'error',
    title: 'Workload certificate TTL exceeds the CA\'s remaining life',
    explanation: 'istiod issues workload certificates for the requested TTL without shortening them to the CA\'s life. A workload certificate that outlives its issuer stops verifying when the issuer expires, before the proxy rotates it.',
    source: 'istio/istio security/pkg/pki/ca/ca.go (sign)',
  },
  {
    code: 'IMC018',
    category: 'certificates',
    severity: 'error',
    title: 'Chain longer than a path length constraint allows',
    explanation: 'A CA certificate\'s basicConstraints pathLenConstraint caps how many CA certificates may follow it down a chain. '
      + 'Every workload certificate is a leaf under ca-cert.pem, so an intermediate of cert-chain.pem with pathlen N allows at most '
      + 'N CA certificates between itself and the workload certificate, ca-cert included (self-issued ones are not counted): '
      + 'beyond that Envoy (BoringSSL) rejects every workload certificate and every mTLS handshake fails. The root of '
      + 'root-cert.pem is a trust anchor Envoy does not check, but istiod verifies ca-cert.pem up to it with Go\'s crypto/x509 '
      + 'at start-up, which counts every intermediate between ca-cert and each certificate (the root included) against its '
      + 'pathlen, and refuses the bundle.',
    source: `${SOURCE_PLUGGED_CA} (Verify); Go crypto/x509 verify.go (isValid); BoringSSL crypto/x509/x509_vfy.cc (check_chain_extensions)`,
  },
  {
    code: 'IMC019',
    category: 'certificates',
    severity: 'error',
    title: 'CA extended key usage excludes TLS server or client auth',
    explanation: 'A CA certificate needs no extendedKeyUsage extension, but when it has one it constrains every certificate under it. '
      + 'istiod verifies ca-cert.pem up to root-cert.pem with Go\'s default usage, serverAuth, which every certificate of that '
      + 'path must list (or anyExtendedKeyUsage): otherwise it refuses the bundle. Envoy (BoringSSL) checks the extendedKeyUsage '
      + 'of ca-cert.pem and every intermediate (not the trust anchor) for the TLS purpose at each handshake: serverAuth when it '
      + 'verifies a server, clientAuth when it verifies a client, anyExtendedKeyUsage not counting. Mutual TLS needs both, so '
      + 'a CA listing only one of them breaks every handshake in one direction.',
    source: `${SOURCE_PLUGGED_CA} (Verify); Go crypto/x509 verify.go (checkChainForKeyUsage); BoringSSL crypto/x509/v3_purp.cc (check_purpose)`,
  },
  {
    code: 'IMC020',
    category: 'certificates',
    severity: 'error',
    title: 'ca-key.pem does not start with the key',
    explanation: 'istiod decodes only the first PEM block of ca-key.pem and accepts it only as an EC PRIVATE KEY, RSA PRIVATE KEY or '
      + 'PRIVATE KEY (PKCS#8) block. A key after another block (EC PARAMETERS from `openssl ecparam -genkey`, a certificate) '
      + 'is never read, and istiod refuses the bundle.',
    source: `${SOURCE_PLUGGED_CA}; security/pkg/pki/util/crypto.go (ParsePemEncodedKey)`,
  },
  {
    code: 'IMC021',
    category: 'certificates',
    severity: 'error',
    title: 'cacerts file too large',
    explanation: 'The four files become the data of one Secret, and the API server refuses a Secret whose data adds up to more '
      + 'than 1 MiB (1048576 bytes, MaxSecretSize). A file that large alone is not parsed at all: real bundles are a few '
      + 'kilobytes, so such a file is a mistake (a wrong path, a whole CA store).',
    source: 'k8s.io/api core/v1 types.go (MaxSecretSize); kubernetes pkg/apis/core/validation (ValidateSecret)',
  },
];
