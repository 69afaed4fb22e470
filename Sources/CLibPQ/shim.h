// libpq, PostgreSQL's C client, as installed by Debian's libpq-dev: the decision log on a
// PostgreSQL server.
#include <postgresql/libpq-fe.h>
