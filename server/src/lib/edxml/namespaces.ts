/** QCVN 102:2016 namespace; receivers (VPCP's .NET parser) insist on the `edXML:` prefix. */
export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
/** An early provincial namespace (LGSP Lạng Sơn v2.2) that VPCP rejected; read, never written. */
export const LEGACY_EDXML_NS = 'http://www.go.vn/eDoc';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const SHA256_DIGEST = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
export const INCLUSIVE_C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
