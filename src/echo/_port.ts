/** The classic echo port, shared by the servers and clients. */
export const DEFAULT_ECHO_PORT_VALUE = 65432;
