# Derives Tests/Fixtures/year from ../shared/data (see README.md).
import gzip,bz2,json,ipaddress,collections
ASN=200310
rows=[l.strip() for l in gzip.open('/work/shared/data/routes/announcements-rv2-20240406.csv.gz','rt')]
head=rows[0]; body=rows[1:]
mine=[r for r in body if r.endswith(','+str(ASN))]
# every 500th announcement of the table as the rest of the world
others=[r for i,r in enumerate(body) if i%500==0 and not r.endswith(','+str(ASN))]
sel=mine+others
d=json.load(bz2.open('/work/shared/data/vrps/rpki-client-20250720T093133Z.json.bz2'))
nets=[ipaddress.ip_network(r.split(',')[0]) for r in sel]
# index routes by /8 (v4) or /16 (v6) for speed
idx=collections.defaultdict(list)
for n in nets:
    idx[(n.version, int(n.network_address)>>(24 if n.version==4 else 112))].append(n)
roas=[]
for r in d['roas']:
    p=ipaddress.ip_network(r['prefix'])
    if p.version==4 and p.prefixlen<8: continue
    if p.version==6 and p.prefixlen<16: continue
    key=(p.version,int(p.network_address)>>(24 if p.version==4 else 112))
    if any(n.subnet_of(p) for n in idx.get(key,[])): roas.append(r)
print(len(mine),mine,len(sel),len(roas))
mineroas=[r for r in roas if any(ipaddress.ip_network(m.split(',')[0]).overlaps(ipaddress.ip_network(r['prefix'])) for m in mine)]
print('roas touching mine',mineroas)
with open('routes.csv','w') as f: f.write(head+'\n'+'\n'.join(sel)+'\n')
out={'metadata':d['metadata'],'roas':roas}
json.dump(out,open('vrps.json','w'),separators=(',',':'))
