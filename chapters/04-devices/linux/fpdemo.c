/*
 * fpdemo.c - a user program of chapter 4's Linux guest that computes with doubles: glibc's
 * printf of doubles, libm, and two small numeric kernels compiled with -O2 for SSE2 (a
 * Mandelbrot set in characters and a few steps of a 3-body simulation). mkinitramfs.sh
 * links it statically into the initramfs; /init runs it. Its output is the same on every
 * correct x86-64 CPU (IEEE 754 doubles, round to nearest), so a test compares it between
 * machines: stepvm's interpreter against QEMU.
 */
#include <math.h>
#include <stdio.h>

/* One row of the Mandelbrot set, -2 <= re < 0.5, as characters by escape time. */
static void mandel_row(double im, char *row, int width)
{
    static const char shades[] = " .:-=+*#%@";

    for (int x = 0; x < width; x++) {
        double cr = -2.0 + 2.5 * x / width, zr = 0, zi = 0;
        int n = 0;
        while (n < 90 && zr * zr + zi * zi <= 4.0) {
            double t = zr * zr - zi * zi + cr;
            zi = 2 * zr * zi + im;
            zr = t;
            n++;
        }
        row[x] = shades[n % 10];
    }
    row[width] = '\0';
}

struct body {
    double x, y, vx, vy, m;
};

/* n steps of dt for three bodies under gravity (G = 1), with a softened distance. */
static double nbody(struct body *b, int steps, double dt)
{
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                if (i == j)
                    continue;
                double dx = b[j].x - b[i].x, dy = b[j].y - b[i].y;
                double r2 = dx * dx + dy * dy + 1e-3;
                double f = b[j].m / (r2 * sqrt(r2));
                b[i].vx += dt * f * dx;
                b[i].vy += dt * f * dy;
            }
        for (int i = 0; i < 3; i++) {
            b[i].x += dt * b[i].vx;
            b[i].y += dt * b[i].vy;
        }
    }
    double e = 0;
    for (int i = 0; i < 3; i++)
        e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy);
    return e;
}

int main(void)
{
    char row[61];
    struct body b[3] = {{0, 0, 0, 0, 10}, {1, 0, 0, 3, 0.1}, {-2, 0, 0, -2, 0.2}};
    double sum = 0;

    for (int y = 0; y < 12; y++) {
        mandel_row(-1.2 + 2.4 * y / 12, row, 60);
        printf("FP-MANDEL |%s|\n", row);
    }
    for (int k = 1; k <= 1000; k++)
        sum += 1.0 / ((double)k * k);
    printf("FP-ZETA2 %.15f (pi^2/6 = %.15f)\n", sum, M_PI * M_PI / 6);
    printf("FP-LIBM sin(1) %.17g exp(1) %.17g log(10) %.17g\n", sin(1.0), exp(1.0), log(10.0));
    printf("FP-NBODY kinetic energy after 1000 steps: %.12e\n", nbody(b, 1000, 1e-3));
    printf("FP-NBODY positions %.9f %.9f %.9f %.9f\n", b[1].x, b[1].y, b[2].x, b[2].y);
    printf("FP-FORMAT %g %e %.3f %a\n", 1.0 / 3, 6.02214076e23, -0.0005, 0.1);
    return 0;
}
