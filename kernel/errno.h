#ifndef PTLAB_ERRNO_H
#define PTLAB_ERRNO_H

#define ENOENT     2
#define EIO        5
#define ENOMEM    12
#define EFAULT    14
#define EBUSY     16
#define EEXIST    17
#define EINVAL    22
#define ENOSPC    28
#define ERANGE    34
#define ETIMEDOUT 110

#endif
