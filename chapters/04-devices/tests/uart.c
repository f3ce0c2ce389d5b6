/*
 * uart.c - tests of the 16550A UART (uart.h) against the PC16550D datasheet, register by
 * register, through a real port bus, with a fake clock and a recorded interrupt line.
 */
#include "ch4_tests.h"
#include "fake.h"
#include "uart.h"

#include <string.h>

#define COM1 0x3f8

/* The machine around one UART: a port bus, a clock the test moves, a recorder of its
 * line, IRQ 4, and the bytes sent to the host. */
static struct bus pio;
static struct uart com1;
static struct fake_clock clk;
static struct fake_irq irq4;
static uint8_t sent[4096];
static size_t nsent;

static void record_tx(void *ctx, uint8_t byte)
{
    (void)ctx;
    if (nsent < sizeof(sent))
        sent[nsent++] = byte;
}

static void setup(void)
{
    fake_clock__init(&clk, 1000);
    fake_irq__init(&irq4, 4);
    nsent = 0;
    fake_bus__init(&pio, "port", 0);
    uart__init(&com1, "com1", &clk.clock, fake_irq__line(&irq4, 4), record_tx, NULL);
    ck_assert_int_eq(uart__register(&com1, &pio, COM1), 0);
}

static uint8_t inb(unsigned reg)
{
    return (uint8_t)fake_bus__read(&pio, COM1 + reg, 1);
}

static void outb(unsigned reg, uint8_t value)
{
    fake_bus__write(&pio, COM1 + reg, 1, value);
}

static size_t receive_str(const char *s)
{
    return uart__receive(&com1, (const uint8_t *)s, strlen(s));
}

/* ------------------------------------------------------------------ registers */

START_TEST(power_on_state)
{
    ck_assert_uint_eq(inb(UART_IER), 0);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_NO_INT);
    ck_assert_uint_eq(inb(UART_LCR), 0);
    ck_assert_uint_eq(inb(UART_MCR), 0);
    ck_assert_uint_eq(inb(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    /* The host end is a ready modem with a carrier; nothing has changed yet. */
    ck_assert_uint_eq(inb(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
    ck_assert_int_eq(irq4.level[4], 0);
    ck_assert_int_eq(uart__can_receive(&com1), 1);
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER);
}
END_TEST

START_TEST(dlab_turns_offsets_0_and_1_into_the_divisor)
{
    outb(UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
    outb(UART_LCR, UART_LCR_DLAB | 0x03);
    outb(UART_DLL, 0x01);
    outb(UART_DLM, 0x02);
    ck_assert_uint_eq(inb(UART_DLL), 0x01);
    ck_assert_uint_eq(inb(UART_DLM), 0x02);
    ck_assert_uint_eq(nsent, 0); /* the DLL write was not a transmission */
    ck_assert_uint_eq(inb(UART_LCR), UART_LCR_DLAB | 0x03);
    outb(UART_LCR, 0x1b); /* 8 bits, even parity, DLAB off: kept as written */
    ck_assert_uint_eq(inb(UART_LCR), 0x1b);
    ck_assert_uint_eq(inb(UART_IER), UART_IER_ERBFI | UART_IER_ELSI); /* untouched */
    outb(UART_IER, 0xff);
    ck_assert_uint_eq(inb(UART_IER), 0x0f); /* bits 4-7 are always 0 */
    outb(UART_LCR, UART_LCR_DLAB);
    ck_assert_uint_eq(inb(UART_DLL), 0x01); /* the IER write did not reach DLM */
    ck_assert_uint_eq(inb(UART_DLM), 0x02);
}
END_TEST

START_TEST(scratch_and_mcr_hold_what_is_written)
{
    outb(UART_SCR, 0xa5);
    ck_assert_uint_eq(inb(UART_SCR), 0xa5);
    outb(UART_MCR, 0xff);
    ck_assert_uint_eq(inb(UART_MCR), UART_MCR_MASK); /* bits 5-7 read 0 */
    outb(UART_LSR, 0x00);                            /* read-only: ignored */
    outb(UART_MSR, 0xff);
    ck_assert_uint_eq(inb(UART_SCR), 0xa5);
}
END_TEST

START_TEST(transmission_is_immediate)
{
    outb(UART_THR, 'h');
    ck_assert_uint_eq(inb(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
                      UART_LSR_THRE | UART_LSR_TEMT);
    outb(UART_THR, 'i');
    ck_assert_uint_eq(nsent, 2);
    ck_assert_mem_eq(sent, "hi", 2);
}
END_TEST

/* ------------------------------------------------------------------ THR empty and OUT2 */

START_TEST(enabling_etbei_raises_thr_empty_at_once)
{
    outb(UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_THRE);
    /* Reading IIR while it shows THR empty acknowledges it. */
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_NO_INT);
    /* Writing THR empties it again at once: pending again. */
    outb(UART_THR, 'x');
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_THRE);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_NO_INT);
    /* Off and on again: raised again. */
    outb(UART_IER, 0);
    outb(UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_THRE);
}
END_TEST

START_TEST(out2_gates_the_line)
{
    outb(UART_IER, UART_IER_ETBEI);
    ck_assert_int_eq(irq4.level[4], 0); /* pending, but OUT2 is clear */
    outb(UART_MCR, UART_MCR_OUT2);
    ck_assert_int_eq(irq4.level[4], 1);
    outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
    ck_assert_int_eq(irq4.level[4], 0);
    outb(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
    ck_assert_int_eq(irq4.level[4], 1);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_THRE);
    ck_assert_int_eq(irq4.level[4], 0); /* acknowledged */
    outb(UART_THR, 'a');
    ck_assert_int_eq(irq4.level[4], 1);
    outb(UART_IER, 0);
    ck_assert_int_eq(irq4.level[4], 0); /* disabled in IER */
}
END_TEST

/* ------------------------------------------------------------------ receiver */

START_TEST(holding_register_without_fifos)
{
    outb(UART_IER, UART_IER_ERBFI);
    outb(UART_MCR, UART_MCR_OUT2);
    ck_assert_uint_eq(receive_str("ab"), 1); /* one byte fits */
    ck_assert_int_eq(uart__can_receive(&com1), 0);
    ck_assert_uint_eq(inb(UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_RDA); /* bits 6-7 clear: FIFOs off */
    ck_assert_int_eq(irq4.level[4], 1);
    ck_assert_uint_eq(inb(UART_RBR), 'a');
    ck_assert_int_eq(irq4.level[4], 0);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, 0);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_NO_INT);
    ck_assert_uint_eq(receive_str("b"), 1);
    ck_assert_uint_eq(inb(UART_RBR), 'b');
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER); /* no timeout without FIFOs */
}
END_TEST

START_TEST(fifo_holds_16_and_pushes_back)
{
    const char *text = "0123456789abcdefghij";
    char got[21] = {0};
    size_t taken;

    outb(UART_FCR, UART_FCR_FIFO_ENABLE);
    taken = receive_str(text);
    ck_assert_uint_eq(taken, UART_FIFO_SIZE);
    ck_assert_int_eq(uart__can_receive(&com1), 0);
    ck_assert_uint_eq(uart__receive(&com1, (const uint8_t *)text + taken, 4), 0);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_OE, 0); /* back-pressure, not overrun */
    got[0] = (char)inb(UART_RBR);
    ck_assert_uint_eq(uart__receive(&com1, (const uint8_t *)text + taken, 4), 1);
    taken++;
    for (int i = 1; i < 17; i++)
        got[i] = (char)inb(UART_RBR);
    ck_assert_uint_eq(uart__receive(&com1, (const uint8_t *)text + taken, 3), 3);
    for (int i = 17; i < 20; i++)
        got[i] = (char)inb(UART_RBR);
    ck_assert_str_eq(got, text); /* every byte, in order */
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

START_TEST(fifo_trigger_levels)
{
    static const struct {
        uint8_t fcr;
        unsigned level;
    } cases[] = {{0x01, 1}, {0x41, 4}, {0x81, 8}, {0xc1, 14}};

    outb(UART_IER, UART_IER_ERBFI);
    outb(UART_MCR, UART_MCR_OUT2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        outb(UART_FCR, cases[i].fcr | UART_FCR_RCVR_RESET);
        for (unsigned n = 1; n < cases[i].level; n++)
            ck_assert_uint_eq(receive_str("x"), 1);
        ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_NO_INT);
        ck_assert_int_eq(irq4.level[4], 0);
        ck_assert_uint_eq(receive_str("y"), 1);
        ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_RDA);
        ck_assert_int_eq(irq4.level[4], 1);
        inb(UART_RBR); /* below the level again */
        ck_assert_int_eq(irq4.level[4], 0);
    }
}
END_TEST

START_TEST(fcr_clears_the_fifos)
{
    outb(UART_FCR, UART_FCR_FIFO_ENABLE);
    ck_assert_uint_eq(receive_str("hello"), 5);
    outb(UART_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_XMIT_RESET);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, UART_LSR_DR); /* TX reset: RX kept */
    outb(UART_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, 0);
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER);
    /* Switching the FIFOs off empties them too, and IIR bits 6-7 follow. */
    ck_assert_uint_eq(receive_str("abc"), 3);
    ck_assert_uint_eq(inb(UART_IIR) & UART_IIR_FIFOS_ENABLED, UART_IIR_FIFOS_ENABLED);
    outb(UART_FCR, 0);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, 0);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_NO_INT);
    /* ... and switching them on empties the holding register. */
    ck_assert_uint_eq(receive_str("z"), 1);
    outb(UART_FCR, UART_FCR_FIFO_ENABLE);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

/* ------------------------------------------------------------------ line status */

START_TEST(overrun_in_loopback_with_fifos)
{
    char got[17] = {0};

    outb(UART_FCR, UART_FCR_FIFO_ENABLE);
    outb(UART_MCR, UART_MCR_LOOP);
    for (int i = 0; i < 17; i++)
        outb(UART_THR, (uint8_t)('A' + i));
    ck_assert_uint_eq(nsent, 0); /* loopback: nothing to the host */
    ck_assert_uint_eq(inb(UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_OE, 0); /* reading LSR cleared it */
    for (int i = 0; i < 16; i++)
        got[i] = (char)inb(UART_RBR);
    ck_assert_str_eq(got, "ABCDEFGHIJKLMNOP"); /* the 17th byte was lost, the FIFO kept */
}
END_TEST

START_TEST(overrun_without_fifos_overwrites)
{
    outb(UART_MCR, UART_MCR_LOOP);
    outb(UART_THR, 'a');
    outb(UART_THR, 'b');
    ck_assert_uint_eq(inb(UART_LSR) & (UART_LSR_OE | UART_LSR_DR), UART_LSR_OE | UART_LSR_DR);
    ck_assert_uint_eq(inb(UART_RBR), 'b');
}
END_TEST

START_TEST(break_shows_when_it_reaches_the_top)
{
    const uint8_t lsr_idle = UART_LSR_THRE | UART_LSR_TEMT;

    outb(UART_FCR, UART_FCR_FIFO_ENABLE);
    outb(UART_IER, UART_IER_ELSI);
    outb(UART_MCR, UART_MCR_OUT2);
    ck_assert_uint_eq(receive_str("a"), 1);
    ck_assert_int_eq(uart__receive_break(&com1), 1);
    ck_assert_uint_eq(receive_str("b"), 1);
    /* The break waits behind 'a': only "error in RCVR FIFO" tells of it yet. */
    ck_assert_uint_eq(inb(UART_LSR), lsr_idle | UART_LSR_DR | UART_LSR_FIFOE);
    ck_assert_int_eq(irq4.level[4], 0);
    ck_assert_uint_eq(inb(UART_RBR), 'a');
    ck_assert_int_eq(irq4.level[4], 1); /* line status interrupt */
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_RLS);
    ck_assert_uint_eq(inb(UART_LSR), lsr_idle | UART_LSR_DR | UART_LSR_BI | UART_LSR_FIFOE);
    ck_assert_int_eq(irq4.level[4], 0);
    ck_assert_uint_eq(inb(UART_LSR), lsr_idle | UART_LSR_DR | UART_LSR_FIFOE);
    ck_assert_uint_eq(inb(UART_RBR), 0); /* a break reads as a 0 byte */
    ck_assert_uint_eq(inb(UART_LSR), lsr_idle | UART_LSR_DR);
    ck_assert_uint_eq(inb(UART_RBR), 'b');
}
END_TEST

/* ------------------------------------------------------------------ loopback and MSR */

START_TEST(loopback_returns_bytes_to_the_receiver)
{
    outb(UART_MCR, UART_MCR_LOOP);
    ck_assert_int_eq(uart__can_receive(&com1), 0); /* the host is disconnected */
    ck_assert_uint_eq(receive_str("h"), 0);
    outb(UART_THR, 0x5a);
    ck_assert_uint_eq(nsent, 0);
    ck_assert_uint_eq(inb(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    ck_assert_uint_eq(inb(UART_RBR), 0x5a);
    outb(UART_MCR, 0);
    outb(UART_THR, 0x5b);
    ck_assert_uint_eq(nsent, 1);
    ck_assert_uint_eq(sent[0], 0x5b);
}
END_TEST

/* In loopback, turns one MCR output on, then off, and checks the MSR it reads back after
 * each: msr_on, then msr_off (the input it drives and its delta bit). */
static void loop_output(uint8_t mcr, uint8_t msr_on, uint8_t msr_off)
{
    outb(UART_MCR, UART_MCR_LOOP | mcr);
    ck_assert_uint_eq(inb(UART_MSR), msr_on);
    outb(UART_MCR, UART_MCR_LOOP);
    ck_assert_uint_eq(inb(UART_MSR), msr_off);
}

START_TEST(loopback_maps_mcr_onto_msr)
{
    /* Entering loopback drops CTS, DSR and DCD (the outputs are all off): three deltas. */
    outb(UART_MCR, UART_MCR_LOOP);
    ck_assert_uint_eq(inb(UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    ck_assert_uint_eq(inb(UART_MSR), 0); /* reading MSR cleared the deltas */

    loop_output(UART_MCR_RTS, UART_MSR_CTS | UART_MSR_DCTS, UART_MSR_DCTS);
    loop_output(UART_MCR_DTR, UART_MSR_DSR | UART_MSR_DDSR, UART_MSR_DDSR);
    /* RI's delta is its trailing edge only: the ring ending. */
    loop_output(UART_MCR_OUT1, UART_MSR_RI, UART_MSR_TERI);
    loop_output(UART_MCR_OUT2, UART_MSR_DCD | UART_MSR_DDCD, UART_MSR_DDCD);

    /* Leaving loopback: the host's CTS, DSR and DCD come back. */
    outb(UART_MCR, 0);
    ck_assert_uint_eq(inb(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD | UART_MSR_DCTS |
                                         UART_MSR_DDSR | UART_MSR_DDCD);
}
END_TEST

START_TEST(modem_status_interrupt_cleared_by_reading_msr)
{
    outb(UART_IER, UART_IER_EDSSI);
    outb(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_MS);
    ck_assert_int_eq(irq4.level[4], 1);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_MS); /* reading IIR does not clear it */
    inb(UART_MSR);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_NO_INT);
    ck_assert_int_eq(irq4.level[4], 0);
}
END_TEST

/* ------------------------------------------------------------------ priorities */

START_TEST(iir_priority_order)
{
    outb(UART_FCR, UART_FCR_FIFO_ENABLE | 0xc0); /* trigger level 14 */
    outb(UART_IER, UART_IER_ERBFI | UART_IER_ETBEI | UART_IER_ELSI | UART_IER_EDSSI);
    outb(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2); /* modem deltas: status pending */
    for (int i = 0; i < 17; i++)
        outb(UART_THR, (uint8_t)i); /* 16 in the FIFO, one overrun; THR empty */
    ck_assert_int_eq(irq4.level[4], 1);

    /* Each cause shows until what clears it is done, then the next one shows. */
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_RLS);
    inb(UART_LSR);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_RDA);
    for (int i = 0; i < 3; i++)
        inb(UART_RBR); /* 13 left: below the trigger level */
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_THRE); /* acknowledges it */
    clk.now = uart__deadline(&com1);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_CTI);
    inb(UART_RBR);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_MS);
    inb(UART_MSR);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_NO_INT);
    ck_assert_int_eq(irq4.level[4], 0);
}
END_TEST

START_TEST(thr_empty_outranks_modem_status)
{
    outb(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
    outb(UART_IER, UART_IER_ETBEI | UART_IER_EDSSI);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_THRE);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_MS);
}
END_TEST

/* ------------------------------------------------------------------ character timeout */

/* 8N1 at divisor 1 (115200 baud): 10 bits of 16 / 1.8432 MHz each, 4 characters. */
#define FOUR_CHARS_8N1_DIV1 (40ull * 16 * 1000000000ull / UART_XTAL_HZ)

static void set_divisor(uint16_t divisor, uint8_t lcr)
{
    outb(UART_LCR, UART_LCR_DLAB);
    outb(UART_DLL, (uint8_t)divisor);
    outb(UART_DLM, (uint8_t)(divisor >> 8));
    outb(UART_LCR, lcr);
}

START_TEST(character_timeout_follows_the_clock)
{
    uint64_t due;

    set_divisor(1, 0x03);
    outb(UART_FCR, UART_FCR_FIFO_ENABLE | 0x40); /* trigger level 4 */
    outb(UART_IER, UART_IER_ERBFI);
    outb(UART_MCR, UART_MCR_OUT2);
    ck_assert_uint_eq(receive_str("ab"), 2);
    due = uart__deadline(&com1);
    ck_assert_uint_eq(due, 1000 + FOUR_CHARS_8N1_DIV1);

    uart__advance(&com1, due - 1);
    ck_assert_int_eq(irq4.level[4], 0);
    uart__advance(&com1, due);
    ck_assert_int_eq(irq4.level[4], 1);
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER); /* it has happened */
    clk.now = due + 5;
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_CTI);

    /* A new byte does not clear it; reading one does, and restarts the count. */
    ck_assert_uint_eq(receive_str("c"), 1);
    ck_assert_int_eq(irq4.level[4], 1);
    ck_assert_uint_eq(inb(UART_RBR), 'a');
    ck_assert_int_eq(irq4.level[4], 0);
    ck_assert_uint_eq(uart__deadline(&com1), due + 5 + FOUR_CHARS_8N1_DIV1);

    /* A byte received restarts it too. */
    clk.now = due + 100;
    ck_assert_uint_eq(receive_str("d"), 1);
    ck_assert_uint_eq(uart__deadline(&com1), due + 100 + FOUR_CHARS_8N1_DIV1);

    /* Nor does a FIFO at its trigger level, which has the data interrupt; nor an empty one. */
    ck_assert_uint_eq(receive_str("ef"), 2); /* 5 bytes */
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER);
    inb(UART_RBR);
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER); /* 4: still at the level */
    inb(UART_RBR);
    ck_assert_uint_ne(uart__deadline(&com1), VCLOCK_NEVER);
    for (int i = 0; i < 3; i++)
        inb(UART_RBR);
    ck_assert_uint_eq(uart__deadline(&com1), VCLOCK_NEVER);
    uart__advance(&com1, UINT64_MAX - 1);
    ck_assert_uint_eq(inb(UART_IIR), UART_IIR_FIFOS_ENABLED | UART_IIR_NO_INT);
}
END_TEST

START_TEST(character_time_follows_lcr_and_divisor)
{
    outb(UART_FCR, UART_FCR_FIFO_ENABLE | 0x40); /* trigger level 4 */
    ck_assert_uint_eq(receive_str("a"), 1);

    set_divisor(0, 0x03); /* a zero divisor counts as the fastest rate */
    ck_assert_uint_eq(uart__deadline(&com1), 1000 + FOUR_CHARS_8N1_DIV1);
    /* 7 bits, parity, 2 stop bits: 11 bits a character, at divisor 12 (9600 baud). */
    set_divisor(12, 0x02 | UART_LCR_PEN | UART_LCR_STB);
    ck_assert_uint_eq(uart__deadline(&com1), 1000 + 44ull * 16 * 12 * 1000000000ull / UART_XTAL_HZ);
    /* 5 bits and 1.5 stop bits: 7.5 bits, at divisor 0x0180 (300 baud). */
    set_divisor(0x180, UART_LCR_STB);
    ck_assert_uint_eq(uart__deadline(&com1),
                      1000 + 30ull * 16 * 0x180 * 1000000000ull / UART_XTAL_HZ);
}
END_TEST

/* ------------------------------------------------------------------ hostile input */

START_TEST(wide_and_random_accesses_never_break_it)
{
    uint32_t seed = 12345;

    /* A 16-bit access is two byte accesses, upwards; one past the end is nobody's. */
    outb(UART_MCR, UART_MCR_LOOP);
    fake_bus__write(&pio, COM1 + UART_THR, 2, 0x0241);
    ck_assert_uint_eq(inb(UART_RBR), 'A'); /* THR, then IER */
    ck_assert_uint_eq(inb(UART_IER), UART_IER_ETBEI);
    fake_bus__write(&pio, COM1 + UART_MSR, 2, 0x1234);
    ck_assert_uint_eq(inb(UART_SCR), 0x12);
    ck_assert_uint_eq(fake_bus__read(&pio, COM1 + UART_SCR, 4), 0xffffffff);

    /* Violations are counted, and asserted once at the end: Check reports every passing
     * assertion to its parent process, which for 200000 rounds costs more than the
     * rounds themselves (and times out under the sanitizers). */
    int bad_iir = 0, overfull = 0, wrong_line = 0;
    for (int i = 0; i < 200000; i++) {
        unsigned reg, value;

        seed = seed * 1103515245 + 12345;
        reg = (seed >> 8) & 7;
        value = (seed >> 16) & 0xff;
        clk.now += (seed >> 28) * 10000;
        if (seed & 0x80) {
            outb(reg, (uint8_t)value);
        } else if (seed & 0x40) {
            uint8_t got = inb(reg);

            bad_iir += reg == UART_IIR && (got & 0x30) != 0; /* IIR bits 4-5 are 0 */
        } else {
            uart__receive(&com1, (const uint8_t *)"xyz", value % 4);
            uart__advance(&com1, clk.now);
        }
        overfull += com1.rx_count > UART_FIFO_SIZE;
        wrong_line += irq4.level[4] != com1.irq_level;
    }
    ck_assert_int_eq(bad_iir, 0);
    ck_assert_int_eq(overfull, 0);
    ck_assert_int_eq(wrong_line, 0);
}
END_TEST

START_TEST(four_ports_on_one_bus)
{
    static const uint16_t bases[4] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
    struct uart ports[4];
    struct bus bus;

    fake_bus__init(&bus, "port", 1);
    for (int i = 0; i < 4; i++) {
        uart__init(&ports[i], "com", &clk.clock, (struct irq_line){NULL, 0}, NULL, NULL);
        ck_assert_int_eq(uart__register(&ports[i], &bus, bases[i]), 0);
    }
    ck_assert_int_eq(uart__register(&ports[0], &bus, 0x3fc), -1); /* overlaps COM1 */
    for (int i = 0; i < 4; i++)
        fake_bus__write(&bus, bases[i] + UART_SCR, 1, (uint64_t)('1' + i));
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(fake_bus__read(&bus, bases[i] + UART_SCR, 1), (uint64_t)('1' + i));
        /* With nothing attached, a byte sent goes nowhere, and nothing breaks. */
        fake_bus__write(&bus, bases[i] + UART_THR, 1, 'x');
    }
}
END_TEST

TCase *uart_tests(void)
{
    TCase *tc = tcase_create("uart");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, power_on_state);
    tcase_add_test(tc, dlab_turns_offsets_0_and_1_into_the_divisor);
    tcase_add_test(tc, scratch_and_mcr_hold_what_is_written);
    tcase_add_test(tc, transmission_is_immediate);
    tcase_add_test(tc, enabling_etbei_raises_thr_empty_at_once);
    tcase_add_test(tc, out2_gates_the_line);
    tcase_add_test(tc, holding_register_without_fifos);
    tcase_add_test(tc, fifo_holds_16_and_pushes_back);
    tcase_add_test(tc, fifo_trigger_levels);
    tcase_add_test(tc, fcr_clears_the_fifos);
    tcase_add_test(tc, overrun_in_loopback_with_fifos);
    tcase_add_test(tc, overrun_without_fifos_overwrites);
    tcase_add_test(tc, break_shows_when_it_reaches_the_top);
    tcase_add_test(tc, loopback_returns_bytes_to_the_receiver);
    tcase_add_test(tc, loopback_maps_mcr_onto_msr);
    tcase_add_test(tc, modem_status_interrupt_cleared_by_reading_msr);
    tcase_add_test(tc, iir_priority_order);
    tcase_add_test(tc, thr_empty_outranks_modem_status);
    tcase_add_test(tc, character_timeout_follows_the_clock);
    tcase_add_test(tc, character_time_follows_lcr_and_divisor);
    tcase_add_test(tc, wide_and_random_accesses_never_break_it);
    tcase_add_test(tc, four_ports_on_one_bus);
    return tc;
}
