// SQLite 3, as installed by Debian's libsqlite3-dev: the decision log's storage.
#include <sqlite3.h>
