import nock from 'nock';

// Unit and integration tests never reach the internet: only loopback (simulators, Redis, PostgreSQL).
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
