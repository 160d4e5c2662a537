#!/usr/bin/env python3
"""Generates a large network folder for the scaling case of bench/run_network.sh:
N libraries (one partner per 100), each with K IP ranges, and a few resources.
shape 'v4': consecutive IPv4 /28 ranges; shape 'mixed': IPv4 of random prefix
lengths and IPv6 /56, shuffled. Deterministic from the seed.
Usage: gen_network.py DIR N K SHAPE SEED"""
import os, random, sys

def main():
    out, n, k, shape, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    rnd = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "partners.csv"), "w") as f:
        f.write("id,name,kind,population,population_year,rate_per_inhabitant,emails\n")
        for p in range((n + 99) // 100):
            f.write(f"p{p},Commune {p},commune,{1000 + p},2024,\"0,15\",\n")
    with open(os.path.join(out, "libraries.csv"), "w") as f:
        f.write("id,partner_id,name,aliases,ip_ranges\n")
        seq = 0
        for i in range(n):
            ranges = []
            for j in range(k):
                if shape == "v4":
                    a = seq * 16
                    seq += 1
                    ranges.append(f"{10 + (a >> 24)}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/28")
                else:
                    if rnd.random() < 0.5:
                        plen = rnd.choice([24, 26, 28, 30, 32])
                        a = (seq << (32 - plen)) & 0xFFFFFFFF if plen < 32 else seq
                        seq += 1
                        a |= 0x64000000  # inside 100.0.0.0/8 and beyond
                        ranges.append(f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/{plen}")
                    else:
                        seq += 1
                        ranges.append(f"2001:db8:{(seq >> 8) & 0xffff:x}:{(seq & 255) << 8:x}::/56")
            rnd.shuffle(ranges)
            f.write(f"lib{i},p{i // 100},Bibliothèque {i},LIB{i},{';'.join(ranges)}\n")
    with open(os.path.join(out, "resources.csv"), "w") as f:
        f.write("id,name,provider,kind,annual_cost,counter_names,url_pattern,request_pattern,headline_metric\n")
        f.write("presse,Presse,Presse SA,press,500,,/presse/(?<item>\\w+),,\n")

main()
