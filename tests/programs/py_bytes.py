# py_bytes.py: a python3 program for alignbench fidelity (docs/fidelity.md): 300 000 bytes
# objects of 520..2600 bytes (above pymalloc's 512, so through malloc, zeroed: calloc), a third
# of them freed at random while the rest stay live.
import random
random.seed(1)
d = {}
for i in range(300000):
    d[i] = bytes(random.randrange(520, 2600))
    if i % 3 == 0:
        d.pop(random.randrange(0, i + 1), None)
print(len(d))
