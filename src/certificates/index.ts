export * from './certificate-finding';
export * from './preflight';
export * from './rules';
export { formatDistinguishedName, formatInstant, formatSpan } from './pem';
