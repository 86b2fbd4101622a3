/** A free TCP port on 127.0.0.1 (for servers that cannot listen on port 0 themselves). */
export { freeLoopbackPort as freePort } from '../../src/embedded/free-port.js';
