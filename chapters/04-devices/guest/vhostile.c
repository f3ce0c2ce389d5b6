#include <stdint.h>
struct multiboot_info;
int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    return 0;
}
